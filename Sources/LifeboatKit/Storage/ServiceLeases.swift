import Foundation
import Glibc
import Logging

/// How readers of a service (restore, verify, export, copy from it) and `prune` keep out of each
/// other's way, the same on every store: lease objects written through the store, beside the
/// service's lock.
///
/// - `locks/<service>/readers/<token>.lease`: one per reader, for as long as it reads.
/// - `locks/<service>/pruning/<token>.lease`: while a prune (holding the service lock) removes backups.
///
/// Each side writes its own lease first and then looks at the other side's, so of two that start at
/// once at least one sees the other. A reader that finds a live prune lease waits until it is gone
/// (and then finds its backup present, or removed with a tombstone). A prune that finds a live reader
/// lease removes no backup: it withdraws its lease and keeps what it would have removed for a later
/// prune. Prune never waits for readers, and readers never block backups.
///
/// A lease holds host, pid, boot and PID namespace, purpose, start and expiry, is renewed every
/// minute (expiry = now + 10 minutes) and deleted when released. It is stale — ignored, and deleted
/// by whoever finds it — when it expired, or at once when its holder ran on this host and is gone
/// (killed): the rules of the service locks (`S3Lock`).
enum ServiceLeases {
    enum Side: String {
        case readers, pruning
    }

    static func folder(service: String, side: Side) -> String { "locks/\(service)/\(side.rawValue)" }

    /// The live leases of one side, by their text; stale ones are deleted on the way.
    static func live(store: any ObjectStore, service: String, side: Side) throws -> [String] {
        let folder = folder(service: service, side: side)
        let now = Date()
        var live: [String] = []
        for entry in try store.list(folder) where !entry.isFolder && entry.name.hasSuffix(".lease") {
            let key = "\(folder)/\(entry.name)"
            guard let bytes = try store.read(key) else { continue }
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let field = text.split(separator: " ").first { $0.hasPrefix("expires=") }.map { String($0.dropFirst("expires=".count)) }
            // One that cannot be parsed is being written right now: live for a lease length.
            let expires = field.flatMap(Timestamp.parse) ?? (entry.modified ?? now).addingTimeInterval(HeldLease.length)
            if expires > now && !S3Lock.holderIsGone(text) {
                live.append(text)
            } else {
                Logger(label: "lifeboat.lock").info("removing the stale \(side.rawValue) lease of service \(service) (\(text))")
                try? store.delete(key)
            }
        }
        return live
    }
}

/// A lease object this process holds: written at once, renewed every minute while held, deleted when
/// the value is released.
final class HeldLease: @unchecked Sendable {
    static let length: TimeInterval = 600
    private let store: any ObjectStore
    let key: String
    private let renewal: any DispatchSourceTimer
    private let released = ReleaseFlag()

    init(store: any ObjectStore, service: String, side: ServiceLeases.Side, purpose: String) throws {
        self.store = store
        let token = "\(Timestamp.format(Date()).filter { $0.isNumber })-\(UInt64.random(in: 0...UInt64.max))"
        key = "\(ServiceLeases.folder(service: service, side: side))/\(token).lease"
        let identity = "host=\(ProcessInfo.processInfo.hostName) pid=\(getpid()) \(S3Lock.processSpace) purpose=\(purpose)"
        let started = Timestamp.format(Date())
        let key = key
        @Sendable func write() throws {
            let lease = "\(identity) started=\(started) expires=\(Timestamp.format(Date().addingTimeInterval(Self.length)))\n"
            _ = try store.write(Array(lease.utf8), to: key)
        }
        try write()
        renewal = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        renewal.schedule(deadline: .now() + 60, repeating: 60)
        let released = released
        renewal.setEventHandler {
            released.value.withLock { done in if !done { try? write() } }
        }
        renewal.resume()
    }

    deinit { endLease(key, in: store, renewal: renewal, released: released, what: "lease") }
}

/// Stops renewing a lease object (no renewal runs after this returns) and deletes it; one that cannot
/// be deleted stops counting when it expires.
func endLease(_ key: String, in store: any ObjectStore, renewal: any DispatchSourceTimer, released: ReleaseFlag, what: String) {
    released.value.withLock { done in
        done = true
        renewal.cancel()
    }
    do {
        try store.delete(key)
    } catch {
        Logger(label: "lifeboat.lock").warning("could not remove the \(what) \(store.display(key)): \(error); it expires within 10 minutes")
    }
}

extension Repository {
    /// Runs `body` as a reader of `service`'s backups, holding a reader lease (see `ServiceLeases`):
    /// no prune removes a backup of the service meanwhile. While a prune is removing backups it waits
    /// (at most `patience` seconds, then `.locked`), so that `body` sees the backups as that prune
    /// left them. A reader that cannot write its lease (read-only access to the repository) reads
    /// without one, with a warning in the log: a prune running meanwhile may then remove its backup.
    public func reading<T>(service: String, purpose: String, patience: TimeInterval = 600, _ body: () throws -> T) throws -> T {
        let lease: HeldLease?
        do {
            lease = try HeldLease(store: store, service: service, side: .readers, purpose: purpose)
        } catch {
            Logger(label: "lifeboat.lock").warning("could not take a reader lease of service \(service) (\(error)); reading without one: a prune running now could remove the backup being read")
            lease = nil
        }
        let deadline = Date().addingTimeInterval(patience)
        while let prune = try ServiceLeases.live(store: store, service: service, side: .pruning).first {
            guard Date() < deadline else {
                throw LifeboatError(.locked, "service \(service) is being pruned (\(prune)) for more than \(Int(patience)) seconds; try again when the prune has finished")
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        FaultPoint.readerAfterLease.reach()
        return try withExtendedLifetime(lease) { try body() }
    }

    /// For a prune holding the service lock: its prune lease, or — when readers hold leases — nil and
    /// what they are (the prune then removes no backup).
    func pruneLease(service: String) throws -> (lease: HeldLease?, readers: [String]) {
        let lease = try HeldLease(store: store, service: service, side: .pruning, purpose: "prune")
        let readers = try ServiceLeases.live(store: store, service: service, side: .readers)
        return readers.isEmpty ? (lease, []) : (nil, readers)
    }
}
