import Foundation

/// `records/pruned/<service>/<backup-id>.json`: what `prune` leaves of a backup it removed, written
/// before the backup's removal begins, so that a reader that finds the backup (or one of its objects)
/// gone can say "removed by prune at T" instead of reporting damage.
public struct Tombstone: Sendable, Codable, Equatable {
    public var format = "lifeboat-tombstone"
    public var version = 1
    public var service: String
    public var backup: String
    /// `full` or `incremental`.
    public var kind: String?
    /// When the backup had finished.
    public var finished: String?
    /// When prune removed it (ISO 8601, UTC).
    public var removed: String
    /// The host prune ran on.
    public var host: String
    /// Why: the tier whose `keep` rules no longer kept it.
    public var reason: String

    /// The error a reader gives for this backup.
    public var error: LifeboatError {
        LifeboatError(.removed, """
            backup \(backup) of service \(service) was removed by prune at \(removed) (on \(host): \(reason)); it is not damage, \
            the backup no longer exists. `lifeboat backups \(service)` lists the backups that remain
            """)
    }
}

extension Repository {
    func tombstoneKey(service: String, id: String) -> String { "records/pruned/\(service)/\(id).json" }

    func write(tombstone: Tombstone) throws {
        _ = try store.write(try jsonBytes(tombstone), to: tombstoneKey(service: tombstone.service, id: tombstone.backup))
    }

    /// The tombstone of a removed backup; nil when prune did not remove it (or it cannot be read).
    public func tombstone(service: String, id: String) -> Tombstone? {
        guard Self.isPlainName(id), Self.isPlainName(service),
              let bytes = (try? store.read(tombstoneKey(service: service, id: id))) ?? nil else { return nil }
        return try? JSONDecoder().decode(Tombstone.self, from: Data(bytes))
    }

    /// Throws the tombstone's error when prune removed backup `id` of `service`.
    func throwIfPruned(service: String, id: String) throws {
        if let tombstone = tombstone(service: service, id: id) { throw tombstone.error }
    }
}
