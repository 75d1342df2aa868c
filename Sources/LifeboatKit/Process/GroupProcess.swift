import Foundation
import Glibc
import Synchronization

/// A command started in its own process group, so that a timeout or an interrupt stops everything it
/// started (a shell's children included): SIGTERM to the group, then SIGKILL after a grace period.
///
/// Spawned with `posix_spawn`: signal dispositions are reset to their defaults (the CLI ignores SIGINT
/// and SIGTERM itself, and ignored signals would otherwise be inherited), stdin is `/dev/null`, and only
/// descriptors 0–2 reach the child. Output is kept as a bounded tail (stdout and stderr together), and
/// optionally stdout on its own for commands whose result is JSON, or stdout goes to a file (a
/// command source's dump). Every live group is known to `ProcessGroups`, so that a signal to Lifeboat
/// ends them before it exits.
///
/// This is the one way Lifeboat starts a program: plan steps, probes, drill commands, command sources,
/// application checks and PostgreSQL's tools (through `ChildProcess`).
final class GroupProcess: @unchecked Sendable {
    /// Where the command's standard output goes; standard error always goes to the output tail.
    enum Stdout: Sendable {
        /// Into the output tail, with standard error.
        case combined
        /// Kept on its own (`Result.stdout`, up to `stdoutLimit`).
        case separate
        /// Into this file, created or truncated (mode 0600).
        case file(String)
    }

    enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)

        var succeeded: Bool { self == .exited(0) }

        var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .signaled(let signal): "killed by signal \(signal)"
            }
        }
    }

    struct Result: Sendable {
        var ending: Ending
        /// Stopped by `stop()` or by its timeout rather than ending by itself.
        var stopped: Bool
        var timedOut: Bool
        var output: String
        var stdout: String
        var seconds: Double
        var succeeded: Bool { ending.succeeded && !stopped }
    }

    static let outputLimit = 16 * 1024
    static let stdoutLimit = 4 * 1024 * 1024
    static let minimalPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The explicit environment of plan and drill commands: `PATH`, `LANG`, `HOME` (and `TZ` when set),
    /// nothing else inherited (no secrets from this process's environment), then `layers` in order.
    static func environment(_ layers: [String: String]...) -> [String: String] {
        let own = ProcessInfo.processInfo.environment
        var environment = ["PATH": minimalPath, "LANG": "C.UTF-8", "HOME": own["HOME"] ?? "/root"]
        if let zone = own["TZ"] { environment["TZ"] = zone }
        for layer in layers { environment.merge(layer) { $1 } }
        return environment
    }

    let pid: pid_t
    private let started = ContinuousClock.now
    private let finished = DispatchSemaphore(value: 0)
    private let state = Mutex(State())
    private let grace: Double
    private let outputLimit: Int

    private struct State {
        var ending: Ending?
        var stopRequested = false
        var stoppedAt: ContinuousClock.Instant?
        var timedOut = false
        var output = Data()
        var stdout = Data()
        var readersDone = 0
    }

    /// Starts `argv` with exactly `environment`; a program name without `/` is looked up in its `PATH`.
    /// `grace` is how long a stopped group has between SIGTERM and SIGKILL; `outputLimit` how much of
    /// the output's end is kept.
    init(argv: [String], environment: [String: String], workdir: String?, stdout: Stdout = .combined, grace: Double = 5,
         outputLimit: Int = GroupProcess.outputLimit) throws {
        guard let name = argv.first, !name.isEmpty else { throw LifeboatError(.usage, "empty command") }
        self.grace = grace
        self.outputLimit = outputLimit
        let program = try Self.locate(name, path: environment["PATH"] ?? Self.minimalPath)
        if let workdir {
            var info = stat()
            guard stat(workdir, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
                throw LifeboatError(.io, "working folder \(workdir) does not exist; create it or fix `workdir`")
            }
        }
        let separate: Bool = if case .separate = stdout { true } else { false }
        var outputPipe: [Int32] = [0, 0], stdoutPipe: [Int32] = [0, 0]
        try Self.makePipe(&outputPipe)
        if separate { try Self.makePipe(&stdoutPipe) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        switch stdout {
        case .combined: posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        case .separate: posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        case .file(let path): posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 2)
        if let workdir {
            guard let addChdir = Self.addChdir else { throw LifeboatError(.io, "this C library cannot start a command in a folder (glibc 2.29 or newer is needed for `workdir`)") }
            _ = addChdir(&actions, workdir)
        }
        _ = Self.addCloseFrom?(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let arguments = argv.map { strdup($0) } + [nil]
        let variables = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (arguments + variables).forEach { free($0) } }
        var child: pid_t = 0
        // Registered under the registry's lock from before the spawn until the pid is known, so a
        // signal handler that ends every group cannot miss this one.
        let status = ProcessGroups.spawning { () -> (Int32, pid_t) in
            let status = posix_spawn(&child, program, &actions, &attributes, arguments, variables)
            return (status, child)
        }
        close(outputPipe[1])
        if separate { close(stdoutPipe[1]) }
        guard status == 0 else {
            close(outputPipe[0])
            if separate { close(stdoutPipe[0]) }
            throw LifeboatError(.io, "cannot start \(program): \(String(cString: strerror(status)))")
        }
        pid = child
        startReader(outputPipe[0], stdout: false)
        if separate { startReader(stdoutPipe[0], stdout: true) } else { state.withLock { $0.readersDone += 1 } }
        Thread.detachNewThread { [self] in reap() }
    }

    /// Waits for the command, stopping its group after `timeout` seconds (and when `stop()` is called).
    /// A stopped group is waited for until it is empty, at most the grace period after SIGTERM, and then
    /// what is left of it gets SIGKILL before this returns: nothing it started outlives a timeout.
    func wait(timeout: Double?) -> Result {
        if let timeout {
            if finished.wait(timeout: .now() + max(0, timeout)) == .timedOut {
                state.withLock { $0.timedOut = true }
                stop()
                finished.wait()
            }
        } else {
            finished.wait()
        }
        finished.signal()  // stays signalled: a later wait returns at once
        if let stopped = state.withLock({ $0.stoppedAt }) { endGroup(stoppedAt: stopped) }
        return state.withLock { state in
            Result(ending: state.ending ?? .signaled(SIGKILL), stopped: state.stopRequested, timedOut: state.timedOut,
                   output: Self.text(state.output, limit: outputLimit), stdout: String(decoding: state.stdout, as: UTF8.self),
                   seconds: (ContinuousClock.now - started).inSeconds)
        }
    }

    /// SIGTERM to the whole group, SIGKILL after the grace period to what is left of it (the leader may
    /// be gone while a child that ignores SIGTERM lives on).
    func stop() {
        let first = state.withLock { state -> Bool in
            defer { state.stopRequested = true }
            guard !state.stopRequested && state.ending == nil else { return false }
            state.stoppedAt = .now
            return true
        }
        guard first else { return }
        kill(-pid, SIGTERM)
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [self] in
            if kill(-pid, 0) == 0 { kill(-pid, SIGKILL) }
        }
    }

    /// Waits (until the grace period after `stoppedAt` is over) for the group to be empty, then kills
    /// what is left.
    private func endGroup(stoppedAt: ContinuousClock.Instant) {
        let deadline = stoppedAt + .milliseconds(Int64(grace * 1000))
        while kill(-pid, 0) == 0 && ContinuousClock.now < deadline { usleep(20_000) }
        if kill(-pid, 0) == 0 { kill(-pid, SIGKILL) }
    }

    private func reap() {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let ending: Ending = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
        // Give the readers a moment to drain what the command wrote; a daemon it left behind may keep
        // the pipe open, so do not wait for end of file.
        let deadline = ContinuousClock.now + .milliseconds(300)
        while state.withLock({ $0.readersDone < 2 }) && ContinuousClock.now < deadline { usleep(5_000) }
        state.withLock { $0.ending = ending }
        ProcessGroups.ended(pid)
        finished.signal()
    }

    private func startReader(_ descriptor: Int32, stdout: Bool) {
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            var drainUntil: ContinuousClock.Instant?
            while true {
                // Once the command has ended, read what is left for a moment, then stop: something it
                // left running may hold the pipe open (and even keep writing).
                if drainUntil == nil, state.withLock({ $0.ending != nil }) { drainUntil = .now + .milliseconds(500) }
                if let drainUntil, ContinuousClock.now > drainUntil { break }
                let ready = poll(&poller, 1, 100)
                if ready == 0 {
                    if drainUntil != nil { break }
                    continue
                }
                if ready < 0 { if errno == EINTR { continue } else { break } }
                let count = read(descriptor, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                let chunk = Data(buffer[0..<count])
                state.withLock { state in
                    if stdout {
                        if state.stdout.count < Self.stdoutLimit { state.stdout.append(chunk) }
                    } else {
                        state.output.append(chunk)
                        if state.output.count > 2 * outputLimit { state.output = state.output.suffix(outputLimit) }
                    }
                }
            }
            close(descriptor)
            state.withLock { $0.readersDone += 1 }
        }
    }

    // GNU extensions (glibc 2.29 and 2.34) that Swift's Glibc module does not declare: looked up once.
    private static let addChdir = unsafeBitCast(
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np"),
        to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)?.self)
    private static let addCloseFrom = unsafeBitCast(
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np"),
        to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)?.self)
    private static let pipe2 = unsafeBitCast(
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2"),
        to: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32)?.self)

    /// A pipe whose ends are closed on exec (atomically where the C library allows it).
    private static func makePipe(_ ends: inout [Int32]) throws {
        if let pipe2 {
            guard pipe2(&ends, O_CLOEXEC) == 0 else { throw failure("cannot create a pipe") }
            return
        }
        guard pipe(&ends) == 0 else { throw failure("cannot create a pipe") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    }

    private static func text(_ data: Data, limit: Int) -> String {
        guard data.count > limit else { return String(decoding: data, as: UTF8.self) }
        return "[…]" + String(decoding: data.suffix(limit), as: UTF8.self)
    }

    private static func locate(_ name: String, path: String) throws -> String {
        if name.contains("/") { return name }
        for folder in path.split(separator: ":") where access("\(folder)/\(name)", X_OK) == 0 {
            return "\(folder)/\(name)"
        }
        throw LifeboatError(.io, "\(name): command not found in PATH (\(path)); give its absolute path")
    }

    private static func failure(_ what: String) -> LifeboatError {
        LifeboatError(.io, "\(what): \(String(cString: strerror(errno)))")
    }
}
