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

    /// The folder stamp recorded when the index of `service` last matched the repository exactly.
    public func folderMark(service: String) throws -> String? {
        try read("read a folder mark from the catalog") { db in
            try String.fetchOne(db, sql: "SELECT stamp FROM folder_marks WHERE service = ?", arguments: [service])
        }
    }

    /// Records (or, with nil, forgets) the folder stamp at which the index of `service` matched the repository.
    public func setFolderMark(service: String, stamp: String?) throws {
        try write("record a folder mark in the catalog") { db in
            if let stamp {
                try db.execute(sql: "INSERT OR REPLACE INTO folder_marks (service, stamp) VALUES (?, ?)", arguments: [service, stamp])
            } else {
                try db.execute(sql: "DELETE FROM folder_marks WHERE service = ?", arguments: [service])
            }
        }
    }

    /// Every catalogued backup of `service`, oldest first, built from the table's columns instead of
    /// by decoding each record's JSON (five to ten times faster over a long history): every field of
    /// `backup.json` but `sources` and `warnings` (empty), `objects` (only the manifest's entry) and
    /// `stats.filesAppended` (nil). For what reads a whole history's times, kinds, sizes and chains:
    /// retention and the report.
    public func backupSummaries(service: String) throws -> [BackupRecord] {
        try read("list backups from the catalog") { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT b.id, b.service, b.kind, b.parent, b.tier, b.host, b.started, b.finished, b.status, b.files,
                       b.directories, b.symlinks, b.hardlinks, b.total_bytes, b.files_stored, b.bytes_read, b.bytes_stored,
                       b.inconsistent_files, b.skipped, m.size AS manifest_size, m.sha256 AS manifest_sha256,
                       json_extract(b.record_json, '$.compression') AS compression,
                       json_array_length(b.record_json, '$.references') AS reference_count,
                       (SELECT group_concat(value, char(31)) FROM json_each(b.record_json, '$.references')) AS refs
                FROM backups b LEFT JOIN backup_objects m ON m.backup_id = b.id AND m.name = ?
                WHERE b.service = ? ORDER BY b.id
                """, arguments: [ManifestFile.objectName, service])
            var records: [BackupRecord] = []
            while let row = try rows.next() {
                records.append(try Self.summary(row, db: db, path: path))
            }
            return records
        }
    }

    private static func summary(_ row: Row, db: Database, path: String) throws -> BackupRecord {
        let id: String = row["id"]
        let count: Int? = row["reference_count"]
        let joined: String? = row["refs"]
        let references = count.map { count in count == 0 ? [] : (joined ?? "").split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init) }
        guard let kind = BackupRecord.Kind(rawValue: row["kind"] ?? ""), references.map({ $0.count == count }) ?? true else {
            // A name holding the separator, or a kind this version does not know: read the record whole.
            let json = try String.fetchOne(db, sql: "SELECT record_json FROM backups WHERE id = ?", arguments: [id]) ?? ""
            return try BackupRow.decode(id: id, json: json, path: path)
        }
        var stats = BackupRecord.Stats()
        stats.files = row["files"] ?? 0
        stats.directories = row["directories"] ?? 0
        stats.symlinks = row["symlinks"] ?? 0
        stats.hardlinks = row["hardlinks"] ?? 0
        stats.totalBytes = row["total_bytes"] ?? 0
        stats.filesStored = row["files_stored"] ?? 0
        stats.bytesRead = row["bytes_read"] ?? 0
        stats.bytesStored = row["bytes_stored"] ?? 0
        stats.inconsistentFiles = row["inconsistent_files"] ?? 0
        stats.skipped = row["skipped"] ?? 0
        let manifest: [BackupRecord.Object] = if let size: Int64 = row["manifest_size"], let sha: String = row["manifest_sha256"] {
            [.init(name: ManifestFile.objectName, size: size, sha256: sha)]
        } else { [] }
        return BackupRecord(id: id, service: row["service"], kind: kind, parent: row["parent"], tier: row["tier"],
                            host: row["host"] ?? "", started: row["started"] ?? "", finished: row["finished"] ?? "", sources: [],
                            status: row["status"] ?? "", compression: row["compression"] ?? "", stats: stats, objects: manifest,
                            warnings: [], references: references)
    }
}
