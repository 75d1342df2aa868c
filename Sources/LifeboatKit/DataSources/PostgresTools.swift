import Foundation
import Glibc

/// Finding PostgreSQL's programs, and running them as the user that owns a cluster.
enum PostgresTools {
    /// The folder holding `pg_basebackup`, `pg_ctl`, `psql`…: `pg_config --bindir`, else the newest
    /// `/usr/lib/postgresql/<version>/bin` (Debian keeps them off PATH).
    static func binDirectory() throws -> String {
        if let bindir = pgConfigBindir(), FileManager.default.isExecutableFile(atPath: "\(bindir)/pg_ctl") { return bindir }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .filter { FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/pg_ctl") }
            .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        if let newest = versions.last { return "\(root)/\(newest)/bin" }
        throw LifeboatError(.io, "PostgreSQL's programs were not found (no pg_config on PATH, nothing in /usr/lib/postgresql/*/bin); "
            + "install them (Debian: apt-get install postgresql postgresql-contrib)")
    }

    private static func pgConfigBindir() -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let program = "\(folder)/pg_config"
            guard FileManager.default.isExecutableFile(atPath: program) else { continue }
            let result = ChildProcess.run([program, "--bindir"], timeout: 10)
            let text = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            return result.succeeded && text.hasPrefix("/") ? text : nil
        }
        return nil
    }

    /// A user to run PostgreSQL programs as: its numeric ids, and its name when it has one.
    struct Account: Sendable {
        var uid: uid_t
        var gid: gid_t
        var name: String?
        var home: String?

        /// The account of `uid` (`gid` when it has no passwd entry).
        init(uid: uid_t, gid: gid_t) {
            self.uid = uid
            self.gid = gid
            if let entry = getpwuid(uid) {
                name = String(cString: entry.pointee.pw_name)
                home = String(cString: entry.pointee.pw_dir)
            }
        }

        /// The account named `name`, if it exists.
        init?(named name: String) {
            guard let entry = getpwnam(name) else { return nil }
            self.init(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
        }

        static var current: Account { Account(uid: geteuid(), gid: getegid()) }
    }

    /// The account that runs PostgreSQL programs for a cluster whose data directory is `path`: when
    /// Lifeboat runs as root, the directory's owner (or `postgres` when root owns it or it is not
    /// here); otherwise this process's own user.
    static func clusterOwner(of path: String) -> Account {
        guard geteuid() == 0 else { return .current }
        var status = stat()
        if stat(path, &status) == 0, status.st_uid != 0 { return Account(uid: status.st_uid, gid: status.st_gid) }
        return Account(named: "postgres") ?? .current
    }

    /// `argv` run as `account`: unchanged when that is this process's user, else through `setpriv`
    /// (which needs no passwd entry and opens no PAM session).
    static func asUser(_ account: Account, _ argv: [String]) -> [String] {
        guard account.uid != geteuid() else { return argv }
        return ["/usr/bin/setpriv", "--reuid=\(account.uid)", "--regid=\(account.gid)", "--clear-groups", "--"] + argv
    }

    /// An environment for PostgreSQL's programs: this process's, without libpq settings that could
    /// redirect them (`PGHOST`, `PGPASSWORD`…), plus `extra`.
    static func environment(_ extra: [String: String] = [:], home: String? = nil) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        environment["LANG"] = environment["LANG"] ?? "C.UTF-8"
        if let home { environment["HOME"] = home }
        for (key, value) in extra { environment[key] = value }
        return environment
    }
}
