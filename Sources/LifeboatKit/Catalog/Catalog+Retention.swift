import Foundation
import GRDB

/// What prune reads from and writes to the catalog.
extension Catalog {
    /// The backups of `service` whose latest restore verification passed, from the catalog's copy of
    /// the repository's verification records (`records/verifications`), so that the answer is the same
    /// after `catalog rebuild` and on every host sharing the repository (bring it in line first with
    /// `Workspace.syncVerifications()`).
    ///
    /// A backup verified good and later found bad (a newer failed verification) is not in the set; one
    /// that could not be verified since (`not-run`: a full scratch disk) keeps what the last real one said.
    public func verifiedGoodBackups(service: String) throws -> Set<String> {
        try read("list verifications from the catalog") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT backup_id, outcome FROM verifications
                WHERE service = ? AND outcome <> 'not-run'
                ORDER BY started, id
                """, arguments: [service])
            var latest: [String: String] = [:]
            for row in rows { latest[row["backup_id"]] = row["outcome"] }
            return Set(latest.filter { $0.value == "passed" }.keys)
        }
    }

    /// Removes the backups `ids` (and their objects) from the index; ids it does not hold are ignored.
    /// Returns how many were removed.
    @discardableResult
    public func removeBackups(_ ids: some Sequence<String>) throws -> Int {
        try write("remove pruned backups from the catalog") { db in
            let delete = try db.cachedStatement(sql: "DELETE FROM backups WHERE id = ?")
            var removed = 0
            for id in ids {
                try delete.execute(arguments: [id])
                removed += db.changesCount
            }
            return removed
        }
    }
}
