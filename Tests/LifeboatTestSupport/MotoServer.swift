import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import Synchronization

/// A real `moto_server` (PyPI `moto[server]`) on a free loopback port, for one test.
///
/// Starting fails loudly (the test fails with what to install) rather than skipping: these tests are
/// the proof that the client speaks S3. Stop it with `stop()` or let `deinit` do it.
public final class MotoServer {
    public let port: Int
    /// `http://127.0.0.1:PORT`
    public let endpoint: String
    public let pid: pid_t
    private let logPath: String
    private let exited = Mutex(false)

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// - Parameter environment: extra variables for moto, e.g. `S3_UPLOAD_PART_MIN_SIZE` or
    ///   `INITIAL_NO_AUTH_ACTION_COUNT`.
    public init(environment: [String: String] = [:]) throws {
        guard let executable = Self.which("moto_server") else {
            throw StartError(description: "moto_server is not on PATH. The S3 tests run against a real moto server: run pip install 'moto[server]' (and make sure its bin directory is on PATH).")
        }
        port = try Self.freePort()
        endpoint = "http://127.0.0.1:\(port)"
        logPath = NSTemporaryDirectory() + "moto-\(port)-\(UUID().uuidString.prefix(6)).log"
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        pid = try Self.spawn(executable, ["moto_server", "-H", "127.0.0.1", "-p", String(port)], environment: variables, log: logPath)

        let deadline = Date().addingTimeInterval(30)
        while !Self.answers(endpoint) {
            guard !hasExited(), Date() < deadline else {
                stop()
                let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw StartError(description: "moto_server did not start on port \(port) within 30 s. Its output:\n\(output.suffix(2000))")
            }
            usleep(50_000)
        }
    }

    deinit { stop() }

    /// SIGTERM, then wait for it to exit (SIGKILL if it is still there after 10 s).
    public func stop() {
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        guard !hasExited() else { return }
        kill(pid, SIGTERM)
        for _ in 0..<200 {
            if hasExited() { return }
            usleep(50_000)
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        exited.withLock { $0 = true }
    }

    /// Reaps the child if it has exited.
    private func hasExited() -> Bool {
        exited.withLock { done in
            if !done {
                var status: Int32 = 0
                done = waitpid(pid, &status, WNOHANG) == pid
            }
            return done
        }
    }

    /// posix_spawn with an empty signal mask and default handlers. Foundation's Process passes on the
    /// test runner's mask, in which SIGTERM is blocked: moto then ignores SIGTERM and the test hangs
    /// waiting for it to exit.
    private static func spawn(_ executable: String, _ arguments: [String], environment: [String], log: String) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw StartError(description: "could not start \(executable): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// The first executable called `name` on PATH.
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// A port the kernel just handed out for a socket bound to port 0 (then closed for moto to take).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StartError(description: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw StartError(description: "could not bind a loopback port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func answers(_ endpoint: String) -> Bool {
        var request = URLRequest(url: URL(string: endpoint + "/moto-api/")!)
        request.timeoutInterval = 2
        let done = DispatchSemaphore(value: 0)
        let status = StatusBox()
        URLSession.shared.dataTask(with: request) { _, response, _ in
            status.set((response as? HTTPURLResponse)?.statusCode ?? 0)
            done.signal()
        }.resume()
        done.wait()
        return status.get() == 200
    }

    private final class StatusBox: Sendable {
        private let value = Mutex(0)
        func set(_ new: Int) { value.withLock { $0 = new } }
        func get() -> Int { value.withLock { $0 } }
    }
}
