import Foundation

/// The catalog as the cache of the repository's backups, kept in line with it at the cost of one
/// listing of a service's folder: `backup.json` is read only for backups the catalog has not seen.
/// Commands that run often (backup, schedule, run-due, report, `backups`) use this instead of
/// reading every `backup.json`; `catalog rebuild`, `verify --objects` and `doctor` still read them all.
extension Workspace {
    /// How many of the newest backups `recentBackups` returns (plus the newest full one).
    public static let recentCount = 16

    /// How long a service folder must have been left alone before its stamp is trusted: a change in
    /// the same clock tick as the listing could leave the stamp as it was.
    static let quietBeforeMark: TimeInterval = 2

    /// What `syncBackupIndex` found that is not a committed backup.
    public struct FolderState: Sendable {
        public var incomplete: [String] = []
        public var damaged: [BackupListing.Damaged] = []
        public var leftovers: [String] = []
    }

    /// Brings the catalog's index of `service` in line with the repository: one listing of
    /// `services/<service>/`; `backup.json` is read only for folders the catalog does not hold (a
    /// backup made by another host, or one whose catalog write failed), and backups whose folder is
    /// gone (pruned elsewhere, removed by hand) are forgotten. On a local repository not even the
    /// listing is repeated while the folder's stamp (`ObjectStore.folderStamp`) is the one recorded
    /// when the index last matched it with nothing incomplete, damaged or left over (an incomplete
    /// backup can commit inside its folder without changing the stamp).
    ///
    /// A catalogued backup whose `backup.json` was damaged since is not noticed here; `verify
    /// --objects` and `doctor` read every one.
    @discardableResult
    public func syncBackupIndex(service: String) throws -> FolderState {
        let folder = repository.serviceFolder(service)
        let stamp = repository.store.folderStamp(folder)
        if let stamp, try catalog.folderMark(service: service) == stamp.value { return FolderState() }
        let all = (try? repository.store.names(in: folder)) ?? []
        let names = all.filter { !$0.hasPrefix(".") }
        let known = try catalog.backupIDs(service: service)
        var state = FolderState(leftovers: all.filter { $0.hasPrefix(Repository.removalPrefix) })
        var found: [BackupRecord] = []
        for id in names where !known.contains(id) {
            switch repository.commitState(service: service, id: id) {
            case .committed(let record): found.append(record)
            case .incomplete: state.incomplete.append(id)
            case .damaged(let message): state.damaged.append(.init(service: service, id: id, message: message))
            }
        }
        if !found.isEmpty { try catalog.upsert(found) }
        let gone = known.subtracting(names)
        if !gone.isEmpty { try catalog.removeBackups(gone) }
        let settled = state.incomplete.isEmpty && state.damaged.isEmpty && state.leftovers.isEmpty
            && stamp.map { Date().timeIntervalSince($0.changed) > Self.quietBeforeMark } == true
        try catalog.setFolderMark(service: service, stamp: settled ? stamp?.value : nil)
        return state
    }

    /// The newest committed backups of `service` (at most `recentCount`, plus the newest full one),
    /// oldest first, from the catalog after `syncBackupIndex`, with the incomplete and damaged folders.
    /// `records` is not the whole history: use `catalog.backups(service:)` for that.
    public func recentBackups(service: String) throws -> BackupListing {
        let state = try syncBackupIndex(service: service)
        return BackupListing(records: try catalog.newestBackups(service: service, limit: Self.recentCount),
                             damaged: state.damaged, incomplete: state.incomplete, leftovers: state.leftovers)
    }

    /// Every committed backup of `service`, oldest first, from the catalog after `syncBackupIndex`, as
    /// `Catalog.backupSummaries` (no sources, warnings or objects but the manifest: what retention needs).
    public func allBackups(service: String) throws -> BackupListing {
        let state = try syncBackupIndex(service: service)
        return BackupListing(records: try catalog.backupSummaries(service: service), damaged: state.damaged,
                             incomplete: state.incomplete, leftovers: state.leftovers)
    }
}
