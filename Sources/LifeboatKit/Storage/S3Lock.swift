import Foundation
import Logging
import Synchronization

/// An exclusive lock on one service of an S3 repository. S3 has no locking primitive, so a lock is a
/// lease object `locks/<service>/<token>.lease` holding host, pid, purpose, start and expiry, renewed
/// every minute (expiry = now + 10 minutes) and deleted on release. Taking a lock lists the leases:
/// a live one (not expired) from someone else refuses; expired ones (holders that died without
/// releasing) are taken over with a log line. After writing its own lease the taker lists again, and
/// if another live lease appeared meanwhile (two takers at once) it withdraws, so at most one wins;
/// both may lose, which is reported as "locked" like any other refusal (locks never wait).
///
/// A lease whose holder ran on this host — same boot, same PID namespace — and is gone (killed) is
/// stale at once, as a `flock` would be.
/// Leases compare the writer's clock with the reader's: hosts sharing a repository need clocks in
/// step to well within the 10-minute lease (NTP).
final class S3Lock: StoreLock, @unchecked Sendable {
    static let leaseLength: TimeInterval = 600
    private let store: S3Store
    private let key: String
    private let renewal: any DispatchSourceTimer
    private let released = ReleaseFlag()
    private let service: String
    /// When the lease was last written successfully; a lock not renewed within its lease is lost.
    private let renewed = RenewalClock()

    private final class RenewalClock: Sendable {
        let value = Mutex<(at: Date, lost: Bool)>((Date(), false))
    }

    init(store: S3Store, service: String, purpose: String) throws {
        self.service = service
        self.store = store
        let folder = S3Lock.folder(service)
        let token = "\(Timestamp.format(Date()).filter { $0.isNumber })-\(UInt64.random(in: 0...UInt64.max))"
        key = "\(folder)/\(token).lease"
        let now = Date()
        let leases = try S3Lock.leases(store: store, service: service)
        if let live = leases.first(where: { $0.expires > now }) {
            throw S3Lock.refusal(store: store, service: service, holder: live.text)
        }
        for stale in leases {
            Logger(label: "lifeboat.lock").warning("taking over the lock of service \(service) left by a process that is gone (\(stale.text))")
            try? store.delete(stale.key)
        }
        let started = Date()
        let identity = "host=\(ProcessInfo.processInfo.hostName) pid=\(getpid()) \(S3Lock.processSpace)"
        let leaseKey = key
        func writeLease() throws {
            let lease = "\(identity) purpose=\(purpose) started=\(Timestamp.format(started)) expires=\(Timestamp.format(Date().addingTimeInterval(S3Lock.leaseLength)))\n"
            _ = try store.write(Array(lease.utf8), to: leaseKey)
        }
        try writeLease()
        do {
            let rivals = try S3Lock.leases(store: store, service: service).filter { $0.key != leaseKey && $0.expires > Date() }
            if let rival = rivals.first { throw S3Lock.refusal(store: store, service: service, holder: rival.text) }
        } catch {
            try? store.delete(leaseKey)
            throw error
        }
        renewal = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        renewal.schedule(deadline: .now() + 60, repeating: 60)
        let released = released, renewed = renewed
        renewal.setEventHandler {
            released.value.withLock { done in
                guard !done, !renewed.value.withLock({ $0.lost }) else { return }
                // A lease that is gone was taken over (it had expired): recreating it would make two
                // holders. The lock is lost; `confirm()` says so before anything is committed.
                guard (try? store.size(leaseKey)) != nil else {
                    renewed.value.withLock { $0.lost = true }
                    return
                }
                if (try? writeLease()) != nil { renewed.value.withLock { $0.at = Date() } }
            }
        }
        renewal.resume()
    }

    /// Throws `.locked` when this lock can no longer be trusted: its lease was not renewed within its
    /// length (another process may have taken it over) or was removed. Called before committing.
    func confirm() throws {
        let (at, lost) = renewed.value.withLock { $0 }
        let present = try store.size(key) != nil
        if lost || Date().timeIntervalSince(at) >= Self.leaseLength * 0.9 || !present {
            throw LifeboatError(.locked, "the lock of service \(service) in \(store.location) was lost (its lease could not be renewed in time or was taken over); nothing was committed. Run again")
        }
    }

    deinit { endLease(key, in: store, renewal: renewal, released: released, what: "lock lease") }

    /// Which kernel and PID namespace this process runs in: a pid is only comparable within both
    /// (containers sharing a host name have their own pids; a cloned VM has another boot).
    static let processSpace: String = {
        let boot = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
        var status = stat()
        let namespace = stat("/proc/self/ns/pid", &status) == 0 ? String(status.st_ino) : "unknown"
        return "boot=\(boot) pidns=\(namespace)"
    }()

    static func folder(_ service: String) -> String { "locks/\(service)" }

    struct Lease {
        var key: String
        var text: String
        var expires: Date
    }

    /// The leases of one service; one that cannot be read or parsed counts as live for a lease length
    /// from when it was written (a lease being written right now).
    static func leases(store: S3Store, service: String) throws -> [Lease] {
        try store.list(folder(service)).filter { !$0.isFolder && $0.name.hasSuffix(".lease") }.compactMap { entry in
            let key = "\(folder(service))/\(entry.name)"
            guard let bytes = try store.read(key) else { return nil }
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let field = text.split(separator: " ").first { $0.hasPrefix("expires=") }.map { String($0.dropFirst("expires=".count)) }
            let expires = field.flatMap(Timestamp.parse)
                ?? (entry.modified ?? Date()).addingTimeInterval(leaseLength)
            // A holder on this host whose process is gone released nothing: its lease is stale now.
            return Lease(key: key, text: text, expires: holderIsGone(text) ? .distantPast : expires)
        }
    }

    /// Whether the lease names a process of this host that no longer exists.
    static func holderIsGone(_ lease: String) -> Bool {
        func field(_ name: String) -> String? {
            lease.split(separator: " ").first { $0.hasPrefix("\(name)=") }.map { String($0.dropFirst(name.count + 1)) }
        }
        let space = processSpace.split(separator: " ").map(String.init)
        guard field("host") == ProcessInfo.processInfo.hostName, space.allSatisfy({ lease.split(separator: " ").contains(Substring($0)) }),
              !processSpace.contains("unknown"), let pid = field("pid").flatMap(Int32.init), pid > 0 else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    private static func refusal(store: S3Store, service: String, holder: String) -> LifeboatError {
        LifeboatError(.locked, "service \(service) is locked by another process (\(holder)) holding \(store.display(folder(service))); wait for it to finish and try again (a holder that died stops counting when its lease expires)")
    }

    /// Every service with a lease: held while a lease is live, stale when only expired ones remain.
    static func list(store: S3Store) throws -> [LockListing] {
        let services = try store.list("locks").filter(\.isFolder).map(\.name)
        return try services.compactMap { service in
            let leases = try Self.leases(store: store, service: service)
            guard !leases.isEmpty else { return nil }
            if let live = leases.first(where: { $0.expires > Date() }) {
                return LockListing(service: service, held: true, lease: live.text)
            }
            return LockListing(service: service, held: false, lease: "", staleLease: leases.map(\.text).joined(separator: "; "))
        }
    }

    /// Deletes the expired leases of a service; live ones stay.
    static func clearStale(store: S3Store, service: String) throws {
        for lease in try leases(store: store, service: service) where lease.expires <= Date() {
            try store.delete(lease.key)
        }
    }
}
