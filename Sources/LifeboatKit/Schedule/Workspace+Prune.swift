import Foundation
import Glibc
import LifeboatNative

/// What `prune` kept and removed (or, in a dry run, would remove) for one service.
public struct PruneReport: Sendable, Codable, Equatable {
    public struct Kept: Sendable, Codable, Equatable {
        public var id: String
        public var kind: String
        public var finished: String
        /// Why it stays (see ``RetentionPolicy``).
        public var reasons: [String]
    }

    public struct Removed: Sendable, Codable, Equatable {
        public var id: String
        /// `full` or `incremental`; nil for an incomplete folder.
        public var kind: String?
        /// Nil for an incomplete folder.
        public var finished: String?
        /// The bytes of the folder's files.
        public var bytes: Int64
    }

    public var service: String
    public var tier: String
    public var dryRun: Bool
    /// Committed backups that stay, oldest first.
    public var kept: [Kept]
    /// Committed backups removed (or to be removed in a dry run), oldest first.
    public var removed: [Removed]
    /// Folders of backups that never committed, older than an hour, removed (or to be removed).
    public var incomplete: [Removed]
    /// Backups whose `backup.json` cannot be read: never touched by prune; `verify --objects` tells more.
    public var damaged: [String]
    /// The bytes of every folder in `removed` and `incomplete`.
    public var bytesFreed: Int64
    /// Things that did not stop the prune (the catalog could not be updated...).
    public var warnings: [String]
}

extension Workspace {
    /// How old a folder without `backup.json` must be before prune removes it.
    public static let incompleteAge: TimeInterval = 3_600

    /// Applies each service's tier `keep:` rules: removes the backups no rule, verification or kept
    /// backup needs, and folders of backups that never committed. See ``prune(_:dryRun:now:timeZone:)``.
    ///
    /// Every service's policy is checked before anything is removed. Stops at the first service that
    /// fails (locked, say); the services before it are pruned.
    ///
    /// - Parameter services: nil for every configured service.
    public func prune(services: [Service]?, dryRun: Bool, now: Date,
                      timeZone: TimeZone? = nil) throws -> [PruneReport] {
        let selected = services ?? config.services
        for service in selected {
            try RetentionPolicy.validate(try config.tier(for: service).keep, tier: service.tier)
        }
        return try selected.map { try prune($0, dryRun: dryRun, now: now, timeZone: timeZone) }
    }

    /// Prunes one service under its lock (`.locked` when another process holds it; never waits).
    ///
    /// Periods are computed in `timeZone` (default: the tier's, like its schedules); `now` is the time the rules
    /// are evaluated at (``RetentionPolicy``). The age of incomplete folders is measured on the real
    /// clock, since it is about objects in the store. Backups are removed newest first, each made to stop
    /// existing in one step first (`ObjectStore.removeBackup`: a local folder is renamed to a hidden
    /// `.removing-ID`, an S3 backup loses its `backup.json`), so that a prune killed at any moment leaves
    /// only whole backups whose data is all present, plus debris that the next prune or backup removes. The catalog forgets removed backups, and a `prune` job run is
    /// recorded (not in a dry run). Each removed backup leaves a tombstone (`Tombstone`), written before
    /// its removal begins. While readers (restore, verify, export, copy) hold leases of the service, no
    /// backup is removed: they are kept, with a warning, for a later prune (`ServiceLeases`).
    public func prune(_ service: Service, dryRun: Bool, now: Date,
                      timeZone: TimeZone? = nil) throws -> PruneReport {
        let tier = try config.tier(for: service)
        try RetentionPolicy.validate(tier.keep, tier: tier.name)
        let lock = try repository.store.lock(service: service.name, purpose: "prune")
        defer { withExtendedLifetime(lock) {} }
        let started = Date()

        let listing = try allBackups(service: service.name)
        // From the repository's verification records (any host's), not this host's job history.
        try syncVerifications()
        let verified = try catalog.verifiedGoodBackups(service: service.name)
        let newestVerified = listing.records.last { verified.contains($0.id) }?.id
        let candidates = RetentionCandidate.candidates(from: listing.records)
        let decisions = try RetentionPolicy.evaluate(backups: candidates, keep: tier.keep, now: now,
                                                     timeZone: timeZone ?? tier.timeZone, newestVerified: newestVerified)
        let records = Dictionary(listing.records.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var report = PruneReport(service: service.name, tier: tier.name, dryRun: dryRun, kept: [], removed: [],
                                 incomplete: [], damaged: listing.damaged.map(\.id), bytesFreed: 0, warnings: [])
        let candidateIDs = Set(candidates.map(\.id))
        for record in listing.records where !candidateIDs.contains(record.id) {
            report.kept.append(.init(id: record.id, kind: record.kind.rawValue, finished: record.finished,
                                     reasons: ["finish time unreadable"]))
        }
        for decision in decisions {
            guard let record = records[decision.id] else { continue }
            if decision.keep {
                report.kept.append(.init(id: record.id, kind: record.kind.rawValue, finished: record.finished,
                                         reasons: decision.reasons))
            } else {
                report.removed.append(.init(id: record.id, kind: record.kind.rawValue, finished: record.finished,
                                            bytes: repository.store.folderBytes(repository.backupFolder(service: service.name, id: record.id))))
            }
        }
        report.kept.sort { $0.id < $1.id }
        let clock = Date()
        for id in listing.incomplete {
            let folder = repository.backupFolder(service: service.name, id: id)
            guard let modified = newestModification(folder), clock.timeIntervalSince(modified) > Self.incompleteAge else { continue }
            report.incomplete.append(.init(id: id, kind: nil, finished: nil, bytes: repository.store.folderBytes(folder)))
        }
        // What an interrupted removal left: no longer a backup, so it goes whatever its age.
        for name in listing.leftovers {
            report.incomplete.append(.init(id: name, kind: nil, finished: nil,
                                           bytes: repository.store.folderBytes(repository.backupFolder(service: service.name, id: name))))
        }
        report.bytesFreed = (report.removed + report.incomplete).reduce(0) { $0 + $1.bytes }
        if dryRun { return report }
        // Readers first: while one holds a lease, no backup goes (it may be the one read, or one it needs).
        let (pruning, readers) = report.removed.isEmpty ? (nil, []) : try repository.pruneLease(service: service.name)
        defer { withExtendedLifetime(pruning) {} }
        if !readers.isEmpty { report.deferRemovals(readers: readers) }

        let job = try? catalog.recordJob(JobRun(kind: "prune", service: service.name, started: Timestamp.format(started),
                                                outcome: "running"))
        var gone: [String] = []
        do {
            FaultPoint.pruneBeforeDelete.reach()
            try lock.confirm()
            // Newest first: a backup is removed only after every removed backup that refers to it.
            for removed in report.removed.reversed() {
                try repository.write(tombstone: Tombstone(
                    service: service.name, backup: removed.id, kind: removed.kind, finished: removed.finished,
                    removed: Timestamp.format(Date()), host: ProcessInfo.processInfo.hostName,
                    reason: "the keep rules of tier \(tier.name) no longer kept it"))
                try repository.store.removeBackup(repository.backupFolder(service: service.name, id: removed.id), record: "backup.json")
                gone.append(removed.id)
            }
            for folder in report.incomplete {
                try repository.store.deleteFolder(repository.backupFolder(service: service.name, id: folder.id))
            }
            FaultPoint.pruneAfterDelete.reach()
        } catch {
            _ = try? catalog.removeBackups(gone)
            if let job {
                try? catalog.finishJob(id: job, finished: Timestamp.format(Date()), outcome: "failed",
                                       bytes: nil, error: "\(error)")
            }
            if let error = error as? LifeboatError { throw error }
            throw LifeboatError(.io, "prune of \(service.name) failed: \(error)", cause: error)
        }
        do {
            try catalog.removeBackups(gone)
        } catch {
            report.warnings.append("the catalog still lists removed backups (\(error)); `lifeboat backups` corrects it")
        }
        if let job {
            try? catalog.finishJob(id: job, finished: Timestamp.format(Date()), outcome: "success",
                                   bytes: report.bytesFreed, error: nil)
        }
        return report
    }

    /// The latest modification time of the objects directly in a folder; an empty folder counts as old
    /// (nothing in it can be in use: a backup writing there would hold the lock prune holds).
    private func newestModification(_ folder: String) -> Date? {
        let entries = (try? repository.store.list(folder)) ?? []
        return entries.isEmpty ? .distantPast : entries.compactMap(\.modified).max()
    }
}

extension PruneReport {
    /// Keeps every backup this prune would have removed, because `readers` hold leases of the service.
    mutating func deferRemovals(readers: [String]) {
        let reason = "in use by a reader (\(readers[0])): a later prune removes it"
        kept += removed.map { Kept(id: $0.id, kind: $0.kind ?? "-", finished: $0.finished ?? "", reasons: [reason]) }
        kept.sort { $0.id < $1.id }
        warnings.append("\(removed.count) backup(s) of \(service) were not removed: \(readers.count) reader(s) hold a lease of the service (\(readers.joined(separator: "; "))); run prune again when they have finished")
        removed = []
        bytesFreed = incomplete.reduce(0) { $0 + $1.bytes }
    }
}
