import Glibc

/// What `/proc` says about a running process: its process group, root and working folder. Used to
/// decide whether a process belongs to a drill (or a throwaway server) before anything signals it.
struct ProcessIdentity: Sendable {
    var pid: pid_t
    var group: pid_t
    /// `/proc/PID/root` and `/proc/PID/cwd` resolved; nil when they cannot be read (another user's
    /// process, without privileges).
    var root: String?
    var workingFolder: String?

    /// The process `pid`, or nil when none runs (a zombie counts as gone).
    init?(_ pid: pid_t) {
        guard pid > 0, let stat = Self.read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        // After "pid (comm) ": state, ppid, pgrp, …
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, fields[0] != "Z", let group = pid_t(fields[2]) else { return nil }
        self.pid = pid
        self.group = group
        root = Self.link("/proc/\(pid)/root")
        workingFolder = Self.link("/proc/\(pid)/cwd")
    }

    /// Whether the process's root (a chroot) or working folder lies inside `folder` (resolved).
    func lives(inside folder: String) -> Bool {
        guard let real = Self.resolved(folder) else { return false }
        func inside(_ path: String?) -> Bool { path.map { $0 == real || $0.hasPrefix(real + "/") } ?? false }
        return (root != "/" && inside(root)) || inside(workingFolder)
    }

    /// Sends `signal` to the process only if `allowed` still holds for it, through a pidfd where the C
    /// library has one, so that a pid reused between the check and the signal is not hit. Returns
    /// `errno` of a failed signal, 0 on success.
    static func signal(_ pid: pid_t, _ signal: Int32, if allowed: (ProcessIdentity) throws -> Void) throws -> Int32 {
        let descriptor = pidfdOpen.map { $0(pid, 0) } ?? -1
        defer { if descriptor >= 0 { close(descriptor) } }
        guard let identity = ProcessIdentity(pid) else { return ESRCH }
        try allowed(identity)
        if descriptor >= 0, let send = pidfdSendSignal {
            return send(descriptor, signal, nil, 0) == 0 ? 0 : errno
        }
        return kill(pid, signal) == 0 ? 0 : errno
    }

    static func resolved(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func link(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        buffer[count] = 0
        return String(cString: buffer)
    }

    private static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = Glibc.read(descriptor, &buffer, buffer.count)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }

    // glibc 2.36 wrappers that Swift's Glibc module may not declare: looked up once.
    private static let pidfdOpen = unsafeBitCast(
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pidfd_open"), to: (@convention(c) (pid_t, UInt32) -> Int32)?.self)
    private static let pidfdSendSignal = unsafeBitCast(
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pidfd_send_signal"),
        to: (@convention(c) (Int32, Int32, UnsafeMutableRawPointer?, UInt32) -> Int32)?.self)
}
