import Foundation

/// The catalog as the cache of the repository's backups, kept in line with it at the cost of one
/// listing of a service's folder: `backup.json` is read only for backups the catalog has not seen.
/// Commands that run often (backup, schedule, run-due, report, `backups`) use this instead of
/// reading every `backup.json`; `catalog rebuild`, `verify --objects` and `doctor` still read them all.
extension Workspace {
    /// How many of the newest backups `recentBackups` returns (plus the newest full one).
    public static let recentCount = 16

    /// Brings the catalog's index of `service` in line with the repository: one listing of
    /// `services/<service>/`; `backup.json` is read only for folders the catalog does not hold (a
    /// backup made by another host, or one whose catalog write failed), and backups whose folder is
    /// gone (pruned elsewhere, removed by hand) are forgotten. Returns the folders that are not
    /// committed backups: incomplete ones (no `backup.json`) and damaged ones (it cannot be read).
    ///
    /// A catalogued backup whose `backup.json` was damaged since is not noticed here; `verify
    /// --objects` and `doctor` read every one.
    @discardableResult
    public func syncBackupIndex(service: String) throws -> (incomplete: [String], damaged: [BackupListing.Damaged]) {
        let names = repository.backupFolderNames(service: service)
        let known = try catalog.backupIDs(service: service)
        var found: [BackupRecord] = [], incomplete: [String] = [], damaged: [BackupListing.Damaged] = []
        for id in names where !known.contains(id) {
            switch repository.commitState(service: service, id: id) {
            case .committed(let record): found.append(record)
            case .incomplete: incomplete.append(id)
            case .damaged(let message): damaged.append(.init(service: service, id: id, message: message))
            }
        }
        if !found.isEmpty { try catalog.upsert(found) }
        let gone = known.subtracting(names)
        if !gone.isEmpty { try catalog.removeBackups(gone) }
        return (incomplete, damaged)
    }

    /// The newest committed backups of `service` (at most `recentCount`, plus the newest full one),
    /// oldest first, from the catalog after `syncBackupIndex`, with the incomplete and damaged folders.
    /// `records` is not the whole history: use `catalog.backups(service:)` for that.
    public func recentBackups(service: String) throws -> BackupListing {
        let (incomplete, damaged) = try syncBackupIndex(service: service)
        return BackupListing(records: try catalog.newestBackups(service: service, limit: Self.recentCount),
                             damaged: damaged, incomplete: incomplete)
    }

    /// Every committed backup of `service`, oldest first, from the catalog after `syncBackupIndex`, as
    /// `Catalog.backupSummaries` (no sources, warnings or objects but the manifest: what retention needs).
    public func allBackups(service: String) throws -> BackupListing {
        let (incomplete, damaged) = try syncBackupIndex(service: service)
        return BackupListing(records: try catalog.backupSummaries(service: service), damaged: damaged, incomplete: incomplete)
    }
}
