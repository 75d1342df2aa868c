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

/// Runs a program to completion with a timeout, keeping the end of its output (stdout and stderr).
enum ChildProcess {
    struct Result {
        var status: Int32
        var killedByTimeout: Bool
        var signaled: Bool
        var output: String
        var succeeded: Bool { !signaled && status == 0 }
    }

    static let outputLimit = 64 * 1024

    private static let bash = FileManager.default.isExecutableFile(atPath: "/bin/bash") ? "/bin/bash" : "/usr/bin/bash"
    /// Closes every descriptor above 2, then runs its arguments (bash: `exec N>&-` takes any N).
    private static let closeDescriptors = #"for fd in /proc/$$/fd/*; do fd=${fd##*/}; if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null; fi; done; exec "$@""#

    /// Runs `argv` (an absolute program first) with `environment` (this process's when nil); kills it
    /// with SIGKILL after `timeout` seconds.
    ///
    /// `detaching` is for programs that leave a daemon behind (`pg_ctl start`): the program then starts
    /// with only stdin, stdout and stderr open, so the daemon holds none of this process's descriptors
    /// (Foundation's `Process` waits until every copy of the one it hands its child is closed).
    static func run(_ argv: [String], environment: [String: String]? = nil, directory: String? = nil,
                    timeout: TimeInterval, detaching: Bool = false) -> Result {
        let argv = detaching ? [bash, "-c", closeDescriptors, "lifeboat-close-fds"] + argv : argv
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch {
            return Result(status: -1, killedByTimeout: false, signaled: false,
                          output: "cannot start \(argv[0]): \(error.localizedDescription)")
        }
        let timedOut = Flag()
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + timeout)
        timer.setEventHandler {
            if process.isRunning {
                timedOut.set()
                kill(process.processIdentifier, SIGKILL)
            }
        }
        timer.resume()
        // Read until EOF, but stop once the program is gone: a daemon it started (postgres under
        // pg_ctl) may keep the pipe open.
        let collected = Collected(limit: outputLimit)
        pipe.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        process.waitUntilExit()
        timer.cancel()
        Thread.sleep(forTimeInterval: 0.05)
        pipe.fileHandleForReading.readabilityHandler = nil
        let text = String(decoding: collected.data, as: UTF8.self)
        return Result(status: process.terminationStatus, killedByTimeout: timedOut.value,
                      signaled: process.terminationReason == .uncaughtSignal, output: text)
    }

    private final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var raised = false
        func set() { lock.withLock { raised = true } }
        var value: Bool { lock.withLock { raised } }
    }

    /// The last `limit` bytes written, appended from a reader thread.
    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes = Data()
        private let limit: Int
        init(limit: Int) { self.limit = limit }
        func append(_ chunk: Data) {
            lock.withLock {
                bytes.append(chunk)
                if bytes.count > limit { bytes = bytes.suffix(limit) }
            }
        }
        var data: Data { lock.withLock { bytes } }
    }
}
