import Foundation
import GRDB

/// Reads of one service's backup index whose cost does not grow with the length of its history
/// (indexed by `backups(service, id)` and `backups(service, kind, id)`, migration v5), and a
/// streaming read for the ones that must see all of it.
extension Catalog {
    /// The ids of the catalogued backups of `service`.
    public func backupIDs(service: String) throws -> Set<String> {
        try read("list backups from the catalog") { db in
            try String.fetchSet(db, sql: "SELECT id FROM backups WHERE service = ?", arguments: [service])
        }
    }

    /// The newest `limit` catalogued backups of `service`, oldest first, with the newest full backup
    /// among them even when it is older (what scheduling, a new backup's parent and the newest-point
    /// questions need).
    public func newestBackups(service: String, limit: Int) throws -> [BackupRecord] {
        try read("list the newest backups from the catalog") { db in
            var rows = try Row.fetchAll(db, sql: """
                SELECT id, kind, record_json FROM backups WHERE service = ? ORDER BY id DESC LIMIT ?
                """, arguments: [service, max(limit, 0)])
            if !rows.contains(where: { ($0["kind"] as String?) == "full" }),
               let full = try Row.fetchOne(db, sql: """
                   SELECT id, kind, record_json FROM backups WHERE service = ? AND kind = 'full' ORDER BY id DESC LIMIT 1
                   """, arguments: [service]) {
                rows.append(full)
            }
            return try rows.reversed().map {
                try BackupRow.decode(id: $0.decode(forColumn: "id"), json: $0.decode(forColumn: "record_json"), path: path)
            }
        }
    }

    /// Calls `body` with each catalogued backup of `service` (of every service when nil), ordered by
    /// service then id, decoding one row at a time: memory stays flat however long the history, and a
    /// caller that stops early (`false`) reads no further.
    public func forEachBackup(service: String?, _ body: (BackupRecord) throws -> Bool) throws {
        try read("list backups from the catalog") { db in
            let rows = service == nil
                ? try Row.fetchCursor(db, sql: "SELECT id, record_json FROM backups ORDER BY service, id")
                : try Row.fetchCursor(db, sql: "SELECT id, record_json FROM backups WHERE service = ? ORDER BY id", arguments: [service])
            while let row = try rows.next() {
                let record = try BackupRow.decode(id: row.decode(forColumn: "id"), json: row.decode(forColumn: "record_json"), path: path)
                if try !body(record) { return }
            }
        }
    }
}
