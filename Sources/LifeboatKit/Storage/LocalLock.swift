import Foundation
import Glibc
import Logging
import Synchronization

/// An exclusive lock on one service of a local repository folder: `flock` on `locks/<service>.lock`, which the
/// kernel releases when the process dies (also on kill -9), plus a lease record (host, pid, purpose,
/// start, expiry) written into the file so that whoever is refused can see who holds it. The lease is
/// renewed every minute while held (expiry = now + 10 minutes). A lease left in a free lock file means
/// its holder died without releasing it: it is taken over with a log line.
final class LocalLock: StoreLock, @unchecked Sendable {
    private let fd: Int32
    public let path: String
    private let renewal: any DispatchSourceTimer
    /// Guards the descriptor against the renewal timer: once released, the timer must never write to
    /// `fd` again (the number may already belong to another file).
    private let released = ReleaseFlag()

    private static let leaseLength: TimeInterval = 600

    /// Takes the lock or throws `.locked` naming the holder. Never waits.
    init(folder: String, service: String, purpose: String) throws {
        path = "\(folder)/\(service).lock"
        try? makeDurableFolder(folder)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, RepositoryPermissions.file)
        if fd < 0 { throw LifeboatError(.io, "cannot open lock file \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            let who = holder.flatMap { $0.isEmpty ? nil : " (\($0))" } ?? ""
            throw LifeboatError(.locked, "service \(service) is locked by another process\(who) holding \(path); wait for it to finish and try again")
        }
        let stale = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if !stale.isEmpty {
            Logger(label: "lifeboat.lock").warning("taking over the lock of service \(service) left by a process that is gone (\(stale))")
        }
        let started = Date()
        let handle = fd
        func writeLease() {
            let lease = "host=\(ProcessInfo.processInfo.hostName) pid=\(getpid()) purpose=\(purpose) started=\(Timestamp.format(started)) expires=\(Timestamp.format(Date().addingTimeInterval(Self.leaseLength)))\n"
            ftruncate(handle, 0)
            _ = lease.withCString { pwrite(handle, $0, strlen($0), 0) }
        }
        writeLease()
        renewal = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        renewal.schedule(deadline: .now() + 60, repeating: 60)
        let released = released
        renewal.setEventHandler {
            released.value.withLock { done in if !done { writeLease() } }
        }
        renewal.resume()
    }

    /// The kernel holds a `flock` for as long as the descriptor is open: it cannot be lost.
    func confirm() throws {}

    /// Every lock file of the repository. Reading takes no lock; a probe with `LOCK_NB` tells held
    /// from free without waiting.
    static func list(folder: String) -> [LockListing] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".lock") }.sorted()
        return names.map { name in
            let path = "\(folder)/\(name)"
            let lease = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            var held = false
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd >= 0 {
                if flock(fd, LOCK_EX | LOCK_NB) == 0 { flock(fd, LOCK_UN) } else { held = errno == EWOULDBLOCK }
                close(fd)
            }
            return LockListing(service: String(name.dropLast(".lock".count)), held: held, lease: held ? lease : "",
                           staleLease: held ? "" : lease)
        }
    }

    deinit {
        released.value.withLock { done in
            done = true
            renewal.cancel()
            ftruncate(fd, 0)
            flock(fd, LOCK_UN)
            close(fd)
        }
    }
}

/// Whether a lock was released, shared with its renewal timer (which must stop writing the moment it is).
final class ReleaseFlag: Sendable {
    let value = Mutex<Bool>(false)
}
