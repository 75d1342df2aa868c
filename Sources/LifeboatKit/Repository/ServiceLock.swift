import Foundation
import Glibc

/// An exclusive lock on one service of a local repository: `flock` on `locks/<service>.lock`, which the
/// kernel releases when the process dies (also on kill -9), plus a lease record (host, pid, start,
/// expiry) written into the file so that whoever is refused can see who holds it.
public final class ServiceLock: @unchecked Sendable {
    private let fd: Int32
    public let path: String

    /// Takes the lock or throws `.locked` naming the holder. Never waits.
    public init(repository: Repository, service: String, purpose: String) throws {
        path = "\(repository.locksPath)/\(service).lock"
        try? FileManager.default.createDirectory(atPath: repository.locksPath, withIntermediateDirectories: true)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw LifeboatError(.io, "cannot open lock file \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            let who = holder.flatMap { $0.isEmpty ? nil : " (\($0))" } ?? ""
            throw LifeboatError(.locked, "service \(service) is locked by another process\(who) holding \(path); wait for it to finish and try again")
        }
        let now = Date()
        let lease = "host=\(ProcessInfo.processInfo.hostName) pid=\(getpid()) purpose=\(purpose) started=\(Timestamp.format(now)) expires=\(Timestamp.format(now.addingTimeInterval(24 * 3600)))\n"
        ftruncate(fd, 0)
        _ = lease.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }
}
