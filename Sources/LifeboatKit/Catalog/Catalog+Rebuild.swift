import GRDB

/// Recreating the cache from the repository (`lifeboat catalog rebuild`).
extension Catalog {
    /// Replaces the repository and every backup (with its objects) by the given ones, in one
    /// transaction: readers see the old catalog or the new one, never a mix. The job history is kept.
    /// Returns how many backups the catalog now holds.
    @discardableResult
    public func replaceAll(repositoryID: String, location: String, formatVersion: Int,
                           backups: [BackupRecord]) throws -> Int {
        try write("rebuild the catalog") { db in
            try db.execute(sql: "DELETE FROM backup_objects; DELETE FROM backups; DELETE FROM folder_marks")
            FaultPoint.catalogRebuildMid.reach()
            try RepositoryRow.replace(id: repositoryID, location: location, formatVersion: formatVersion, in: db)
            for record in backups { try BackupRow.save(record, in: db) }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM backups") ?? 0
        }
    }
}
