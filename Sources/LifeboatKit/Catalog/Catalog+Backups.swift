import Foundation
import GRDB

/// Backups and the repository they come from: a cache of `backup.json` files.
extension Catalog {
    /// Saves a backup, replacing any entry with the same id and its list of objects.
    public func upsert(_ record: BackupRecord) throws {
        try write("save backup \(record.id) in the catalog") { db in
            try BackupRow.save(record, in: db)
        }
    }

    /// Saves many backups in one transaction: all are saved, or none.
    public func upsert(_ records: [BackupRecord]) throws {
        try write("save \(records.count) backups in the catalog") { db in
            for record in records { try BackupRow.save(record, in: db) }
        }
    }

    /// The catalogued backups of `service` (of every service when nil), ordered by service then id.
    ///
    /// Each record is the one that was saved, field for field (it is kept whole as JSON).
    public func backups(service: String?) throws -> [BackupRecord] {
        try read("list backups from the catalog") { db in
            let rows: [Row]
            if let service {
                rows = try Row.fetchAll(
                    db, sql: "SELECT id, record_json FROM backups WHERE service = ? ORDER BY service, id",
                    arguments: [service])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT id, record_json FROM backups ORDER BY service, id")
            }
            return try rows.map { try BackupRow.decode(
                    id: $0.decode(forColumn: "id"), json: $0.decode(forColumn: "record_json"), path: path) }
        }
    }

    /// The ids of all catalogued backups.
    public func backupIDs() throws -> Set<String> {
        try read("list backups from the catalog") { db in
            try String.fetchSet(db, sql: "SELECT id FROM backups")
        }
    }

    /// Removes the backups whose id is not in `ids` (the repository no longer has them), with their
    /// objects. Returns how many were removed.
    @discardableResult
    public func removeBackups(notIn ids: Set<String>) throws -> Int {
        try write("remove lost backups from the catalog") { db in
            let gone = try String.fetchSet(db, sql: "SELECT id FROM backups").subtracting(ids)
            let delete = try db.cachedStatement(sql: "DELETE FROM backups WHERE id = ?")
            for id in gone { try delete.execute(arguments: [id]) }
            return gone.count
        }
    }

    /// Records the repository this catalog describes, replacing any previous one.
    ///
    /// Backups are left alone: a caller that finds a different repository id should rebuild with
    /// ``replaceAll(repositoryID:location:formatVersion:backups:)``.
    public func setRepository(id: String, location: String, formatVersion: Int) throws {
        try write("record the repository in the catalog") { db in
            try RepositoryRow.replace(id: id, location: location, formatVersion: formatVersion, in: db)
        }
    }

    /// The id of the repository this catalog describes, or nil if none was recorded yet.
    public func repositoryID() throws -> String? {
        try read("read the repository id from the catalog") { db in
            try String.fetchOne(db, sql: "SELECT id FROM repository ORDER BY recorded_at DESC LIMIT 1")
        }
    }
}

/// The one row of `repository`.
struct RepositoryRow: PersistableRecord, Sendable {
    static let databaseTableName = "repository"
    var id: String
    var location: String
    var formatVersion: Int
    var recordedAt: String

    func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["location"] = location
        container["format_version"] = formatVersion
        container["recorded_at"] = recordedAt
    }

    static func replace(id: String, location: String, formatVersion: Int, in db: Database) throws {
        try db.execute(sql: "DELETE FROM repository")
        let row = RepositoryRow(
            id: id, location: location, formatVersion: formatVersion, recordedAt: Timestamp.format(Date()))
        try row.insert(db)
    }
}
