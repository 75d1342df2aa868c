import Foundation
import GRDB

/// One row of `backups`: the columns queries filter and sort on, plus the whole record as JSON,
/// which is what is read back (so no field of `backup.json` is lost).
struct BackupRow: PersistableRecord, Sendable {
    static let databaseTableName = "backups"
    var record: BackupRecord
    var recordJSON: String
    var sourcesJSON: String

    init(_ record: BackupRecord) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.record = record
        recordJSON = String(decoding: try encoder.encode(record), as: UTF8.self)
        sourcesJSON = String(decoding: try encoder.encode(record.sources), as: UTF8.self)
    }

    func encode(to container: inout PersistenceContainer) {
        let stats = record.stats
        container["id"] = record.id
        container["service"] = record.service
        container["kind"] = record.kind.rawValue
        container["parent"] = record.parent
        container["tier"] = record.tier
        container["host"] = record.host
        container["started"] = record.started
        container["finished"] = record.finished
        container["status"] = record.status
        container["files"] = stats.files
        container["directories"] = stats.directories
        container["symlinks"] = stats.symlinks
        container["hardlinks"] = stats.hardlinks
        container["total_bytes"] = stats.totalBytes
        container["files_stored"] = stats.filesStored
        container["bytes_read"] = stats.bytesRead
        container["bytes_stored"] = stats.bytesStored
        container["inconsistent_files"] = stats.inconsistentFiles
        container["skipped"] = stats.skipped
        container["sources_json"] = sourcesJSON
        container["record_json"] = recordJSON
    }

    /// Inserts or replaces `record` and replaces its objects. Call inside a write transaction.
    static func save(_ record: BackupRecord, in db: Database) throws {
        try BackupRow(record).upsert(db)
        try db.execute(sql: "DELETE FROM backup_objects WHERE backup_id = ?", arguments: [record.id])
        for object in record.objects {
            // A name listed twice keeps its last entry; the full list stays in `record_json`.
            try ObjectRow(backupID: record.id, object: object).insert(db, onConflict: .replace)
        }
    }

    /// The record saved as `json`; throws a `.catalog` error naming the backup when it cannot be read.
    static func decode(id: String, json: String, path: String) throws -> BackupRecord {
        do {
            return try JSONDecoder().decode(BackupRecord.self, from: Data(json.utf8))
        } catch {
            throw LifeboatError(
                .catalog,
                "The catalog \(path) holds an unreadable entry for backup \(id). "
                    + "Run `lifeboat catalog rebuild` to recreate it from the repository.",
                cause: error)
        }
    }
}

/// One row of `backup_objects`: a file of a backup folder, for queries over objects.
struct ObjectRow: PersistableRecord, Sendable {
    static let databaseTableName = "backup_objects"
    var backupID: String
    var object: BackupRecord.Object

    func encode(to container: inout PersistenceContainer) {
        container["backup_id"] = backupID
        container["name"] = object.name
        container["size"] = object.size
        container["sha256"] = object.sha256
    }
}
