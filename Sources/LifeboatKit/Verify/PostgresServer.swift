import Foundation
import Glibc

/// A throwaway PostgreSQL server started on a restored data directory inside a verification's scratch
/// folder: Unix socket only (in the scratch folder, no TCP), a free port number, run by the data
/// directory's owner (or `postgres`) when Lifeboat runs as root, in private mount and network
/// namespaces where the host allows them, and trusting only local connections through its own
/// `pg_hba.conf` (the restored cluster's configuration is included, its access rules are not).
struct PostgresServer {
    let bindir: String
    let dataDirectory: String
    /// Holds the socket, the server log and the throwaway server's own configuration files.
    let runDirectory: String
    let port: Int
    let account: PostgresTools.Account
    /// What kept the server away from production, as recorded.
    let isolation: String

    static let startTimeout = 60

    /// Prepares a server for `dataDirectory`, with its run folder under `scratch`. Throws when
    /// PostgreSQL's programs are missing or the folders cannot be prepared.
    init(dataDirectory: String, scratch: String) throws {
        bindir = try PostgresTools.binDirectory()
        self.dataDirectory = dataDirectory
        var status = stat()
        guard stat(dataDirectory, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
            throw LifeboatError(.io, "the restored data directory \(dataDirectory) is missing")
        }
        if geteuid() == 0 {
            if status.st_uid == 0 {
                // PostgreSQL refuses to run as root: hand a root-owned copy to postgres.
                guard let postgres = PostgresTools.Account(named: "postgres") else {
                    throw LifeboatError(.io, "the restored data directory is owned by root and there is no postgres user to run the server as")
                }
                account = postgres
                _ = ChildProcess.run(["/bin/chown", "-R", "\(postgres.uid):\(postgres.gid)", dataDirectory], timeout: 600)
            } else {
                account = PostgresTools.Account(uid: status.st_uid, gid: status.st_gid)
            }
            // The owner must reach the data directory through the scratch folder (made 0700 by root).
            var folder = (dataDirectory as NSString).deletingLastPathComponent
            while folder.count >= scratch.count, folder != "/" {
                var info = stat()
                if stat(folder, &info) == 0, info.st_mode & 0o001 == 0 { chmod(folder, (info.st_mode & 0o7777) | 0o011) }
                if folder == scratch { break }
                folder = (folder as NSString).deletingLastPathComponent
            }
        } else {
            account = .current
        }
        if status.st_mode & 0o027 != 0 { chmod(dataDirectory, 0o700) }  // the server refuses a group-writable or world-readable one
        unlink("\(dataDirectory)/postmaster.pid")  // a copy taken from a stopped cluster's files may carry one
        runDirectory = "\(scratch)/.pg"
        guard mkdir(runDirectory, 0o700) == 0 || errno == EEXIST else {
            throw LifeboatError(.io, "cannot create \(runDirectory): \(String(cString: strerror(errno)))")
        }
        guard "\(runDirectory)/.s.PGSQL.65535".utf8.count < 108 else {
            throw LifeboatError(.io, "the socket path under \(runDirectory) is too long for a Unix socket; set TMPDIR to a shorter folder")
        }
        let conf = "include_if_exists '\(dataDirectory.replacingOccurrences(of: "'", with: "''"))/postgresql.conf'\n"
        try conf.write(toFile: "\(runDirectory)/postgresql.conf", atomically: false, encoding: .utf8)
        try "local all all trust\n".write(toFile: "\(runDirectory)/pg_hba.conf", atomically: false, encoding: .utf8)
        try "".write(toFile: "\(runDirectory)/pg_ident.conf", atomically: false, encoding: .utf8)
        for path in [runDirectory, "\(runDirectory)/postgresql.conf", "\(runDirectory)/pg_hba.conf", "\(runDirectory)/pg_ident.conf"] {
            chown(path, account.uid, account.gid)
        }
        port = Self.freePort()
        if Isolation.available == Isolation.namespaces {
            isolation = Isolation.available.replacingOccurrences(of: " and PID", with: "") + " (PostgreSQL server); Unix socket only"
        } else {
            isolation = "none: this host does not allow unshare; the PostgreSQL server ran as a plain process, Unix socket only (no TCP)"
        }
    }

    /// How `pg_ctl start` is wrapped: private mount and network namespaces (no PID namespace, so the
    /// server outlives `pg_ctl` and is stopped by it later). As root the server then drops to its
    /// owner; otherwise the user namespace maps this user to itself (PostgreSQL refuses uid 0).
    private var isolationPrefix: [String] {
        guard Isolation.available == Isolation.namespaces else { return [] }
        return geteuid() == 0 ? ["/usr/bin/unshare", "-m", "-n", "--fork", "--"]
            : ["/usr/bin/unshare", "--user", "--map-current-user", "-m", "-n", "--fork", "--"]
    }

    private func environment(_ extra: [String: String] = [:]) -> [String: String] {
        PostgresTools.environment(extra, home: runDirectory)
    }

    /// `pg_ctl -w start`; passes when the server accepts connections within `startTimeout` seconds.
    func start() -> ChildProcess.Result {
        let options = ["-k", runDirectory, "-p", "\(port)", "-c", "listen_addresses=", "-c", "config_file=\(runDirectory)/postgresql.conf",
                       "-c", "hba_file=\(runDirectory)/pg_hba.conf", "-c", "ident_file=\(runDirectory)/pg_ident.conf",
                       "-c", "archive_mode=off", "-c", "ssl=off", "-c", "logging_collector=off"]
            .map(Self.shellQuoted).joined(separator: " ")
        let argv = isolationPrefix + PostgresTools.asUser(account, [
            "\(bindir)/pg_ctl", "-D", dataDirectory, "-l", "\(runDirectory)/server.log", "-w", "-t", "\(Self.startTimeout)",
            "-o", options, "start"])
        var result = ChildProcess.run(argv, environment: environment(), directory: runDirectory, timeout: TimeInterval(Self.startTimeout + 30))
        if !result.succeeded {
            let log = (try? String(contentsOfFile: "\(runDirectory)/server.log", encoding: .utf8)) ?? ""
            result.output += "\n--- server log (end) ---\n" + String(log.suffix(4000))
        }
        return result
    }

    /// `pg_ctl -m immediate stop`, then SIGKILL for a postmaster that is still there.
    func stop() {
        let argv = PostgresTools.asUser(account, ["\(bindir)/pg_ctl", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"])
        _ = ChildProcess.run(argv, environment: environment(), directory: runDirectory, timeout: 45)
        if let text = try? String(contentsOfFile: "\(dataDirectory)/postmaster.pid", encoding: .utf8),
           let line = text.split(separator: "\n").first, let pid = pid_t(line.trimmingCharacters(in: .whitespaces)), pid > 1 {
            // Only the throwaway server: its working folder is this data directory. A pid that names
            // anything else (a restored pidfile, a reused pid) is left alone.
            _ = try? ProcessIdentity.signal(pid, SIGKILL) { process in
                guard process.lives(inside: dataDirectory) else { throw LifeboatError(.io, "not the throwaway server") }
            }
        }
    }

    /// Runs `query` with `psql -At` as `user` in `database`; the output is psql's (rows as `a|b`).
    func psql(_ query: String, user: String, database: String, timeout: TimeInterval) -> ChildProcess.Result {
        let milliseconds = max(1, Int(timeout * 1000))
        let argv = PostgresTools.asUser(account, ["\(bindir)/psql", "-X", "-w", "-At", "-v", "ON_ERROR_STOP=1", "-h", runDirectory,
                                                  "-p", "\(port)", "-U", user, "-d", database, "-c", query])
        return ChildProcess.run(argv, environment: environment(["PGOPTIONS": "-c statement_timeout=\(milliseconds)"]),
                                directory: runDirectory, timeout: timeout + 5)
    }

    /// Whether this PostgreSQL has `pg_amcheck` (version 14 and later).
    var hasAmcheck: Bool { FileManager.default.isExecutableFile(atPath: "\(bindir)/pg_amcheck") }

    /// `pg_amcheck --all` (installing the amcheck extension in the throwaway copy where it is missing).
    func amcheck(user: String, timeout: TimeInterval) -> ChildProcess.Result {
        let argv = PostgresTools.asUser(account, ["\(bindir)/pg_amcheck", "-w", "-h", runDirectory, "-p", "\(port)", "-U", user,
                                                  "--all", "--install-missing", "--heapallindexed"])
        return ChildProcess.run(argv, environment: environment(), directory: runDirectory, timeout: timeout)
    }

    /// The name of the cluster's bootstrap superuser, asked as each of `candidates` in turn.
    func superuser(candidates: [String]) -> String? {
        for candidate in candidates {
            let result = psql("SELECT rolname FROM pg_roles WHERE oid = 10", user: candidate, database: "template1", timeout: 30)
            let name = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            if result.succeeded, !name.isEmpty, !name.contains("\n") { return name }
        }
        return nil
    }

    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// A TCP port number nothing listens on now (the server binds no TCP port; the number names its socket).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return Int.random(in: 20000...60000) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { return Int.random(in: 20000...60000) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The keyword values of a libpq connection string (`host=/run/postgresql user=app dbname='my db'`)
/// or URI (`postgresql://app@host/db`), as far as verification needs them.
enum PostgresDSN {
    static func value(_ key: String, in dsn: String) -> String? {
        let trimmed = dsn.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("postgresql://") || trimmed.hasPrefix("postgres://") {
            guard let components = URLComponents(string: trimmed) else { return nil }
            switch key {
            case "user": return components.user?.removingPercentEncoding
            case "dbname":
                let path = components.path.drop { $0 == "/" }
                return path.isEmpty ? components.queryItems?.first { $0.name == "dbname" }?.value : String(path).removingPercentEncoding
            default: return components.queryItems?.first { $0.name == key }?.value
            }
        }
        var pairs: [String: String] = [:]
        var characters = Array(trimmed)[...]
        func skipSpaces() { while let c = characters.first, c.isWhitespace { characters.removeFirst() } }
        while true {
            skipSpaces()
            guard !characters.isEmpty else { break }
            var name = ""
            while let c = characters.first, c != "=", !c.isWhitespace { name.append(c); characters.removeFirst() }
            skipSpaces()
            guard characters.first == "=" else { break }
            characters.removeFirst()
            skipSpaces()
            var value = ""
            if characters.first == "'" {
                characters.removeFirst()
                while let c = characters.popFirst() {
                    if c == "\\", let next = characters.popFirst() { value.append(next); continue }
                    if c == "'" { break }
                    value.append(c)
                }
            } else {
                while let c = characters.first, !c.isWhitespace {
                    characters.removeFirst()
                    if c == "\\", let next = characters.popFirst() { value.append(next); continue }
                    value.append(c)
                }
            }
            pairs[name] = value
        }
        return pairs[key]
    }
}
