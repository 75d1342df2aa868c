import Foundation
import GRDB

/// One run of a job (backup, verify, prune, drill...): the history the repository does not hold.
///
/// Times are ISO 8601 UTC as written by `Timestamp.format`, so that they sort as text.
public struct JobRun: Sendable, Codable, Equatable {
    /// Assigned by the catalog; ignored by ``Catalog/recordJob(_:)``.
    public var id: Int64?
    /// What ran: `backup`, `verify`, `prune`, `drill`...
    public var kind: String
    public var service: String?
    public var backupID: String?
    public var started: String
    /// Nil while the job runs.
    public var finished: String?
    /// `running`, `success`, `failure`, `partial`...
    public var outcome: String
    public var bytes: Int64?
    /// What went wrong, for the user; never a secret.
    public var error: String?
    public var details: [String: String]?

    public init(id: Int64? = nil, kind: String, service: String? = nil, backupID: String? = nil,
                started: String, finished: String? = nil, outcome: String, bytes: Int64? = nil,
                error: String? = nil, details: [String: String]? = nil) {
        self.id = id
        self.kind = kind
        self.service = service
        self.backupID = backupID
        self.started = started
        self.finished = finished
        self.outcome = outcome
        self.bytes = bytes
        self.error = error
        self.details = details
    }
}

extension Catalog {
    /// Adds `run` to the history and returns its id (for ``finishJob(id:finished:outcome:bytes:error:)``).
    @discardableResult
    public func recordJob(_ run: JobRun) throws -> Int64 {
        try write("record a \(run.kind) job in the catalog") { db in
            var row = JobRunRow(run: run)
            row.run.id = nil
            try row.insert(db)
            return db.lastInsertedRowID
        }
    }

    /// Completes the job run `id` with its end time, outcome, bytes and error.
    ///
    /// Throws when no job run has this id.
    public func finishJob(id: Int64, finished: String, outcome: String, bytes: Int64?, error: String?) throws {
        try write("finish job \(id) in the catalog") { db in
            try db.execute(
                sql: "UPDATE job_runs SET finished = ?, outcome = ?, bytes = ?, error = ? WHERE id = ?",
                arguments: [finished, outcome, bytes, error, id])
            if db.changesCount == 0 {
                throw LifeboatError(.catalog, "The catalog \(path) has no job run \(id) to finish.")
            }
        }
    }

    /// Links the job run `id` to the backup it made (known only once the backup is written).
    ///
    /// Throws when no job run has this id.
    public func attach(job id: Int64, backupID: String) throws {
        try write("link job \(id) to backup \(backupID) in the catalog") { db in
            try db.execute(sql: "UPDATE job_runs SET backup_id = ? WHERE id = ?", arguments: [backupID, id])
            if db.changesCount == 0 {
                throw LifeboatError(.catalog, "The catalog \(path) has no job run \(id) to link to backup \(backupID).")
            }
        }
    }

    /// The job runs of `service` (of every service when nil), newest first, at most `limit`.
    public func jobs(service: String?, limit: Int) throws -> [JobRun] {
        try read("list job runs from the catalog") { db in
            let rows: [JobRunRow]
            if let service {
                rows = try JobRunRow.fetchAll(
                    db, sql: "SELECT * FROM job_runs WHERE service = ? ORDER BY started DESC, id DESC LIMIT ?",
                    arguments: [service, max(limit, 0)])
            } else {
                rows = try JobRunRow.fetchAll(
                    db, sql: "SELECT * FROM job_runs ORDER BY started DESC, id DESC LIMIT ?",
                    arguments: [max(limit, 0)])
            }
            return rows.map(\.run)
        }
    }
}

extension Catalog {
    /// The job runs of one kind for `service` that started after `since`, newest first, at most `limit`
    /// (an indexed read: its cost does not grow with the service's other history).
    public func jobs(service: String, kind: String, since: String?, limit: Int) throws -> [JobRun] {
        try read("list job runs from the catalog") { db in
            try JobRunRow.fetchAll(db, sql: """
                SELECT * FROM job_runs WHERE service = ? AND kind = ? AND started > ?
                ORDER BY started DESC, id DESC LIMIT ?
                """, arguments: [service, kind, since ?? "", max(limit, 0)]).map(\.run)
        }
    }
}

extension Catalog {
    /// The job runs of any service that started at or after `since` and ended with one of
    /// `outcomes`, newest first (indexed: the report's failures, not the whole history).
    public func jobs(outcomes: [String], since: String) throws -> [JobRun] {
        try read("list job runs from the catalog") { db in
            let marks = outcomes.map { _ in "?" }.joined(separator: ", ")
            return try JobRunRow.fetchAll(db, sql: """
                SELECT * FROM job_runs WHERE outcome IN (\(marks)) AND started >= ?
                ORDER BY started DESC, id DESC
                """, arguments: StatementArguments(outcomes + [since])).map(\.run)
        }
    }
}

/// One row of `job_runs`; `details` is stored as a JSON object.
struct JobRunRow: FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "job_runs"
    var run: JobRun

    init(run: JobRun) {
        self.run = run
    }

    init(row: Row) throws {
        var details: [String: String]?
        if let json: String = try row.decode(forColumn: "details_json") {
            let id: Int64? = try row.decode(forColumn: "id")
            details = try JSONFile.decode(
                [String: String].self, from: Array(json.utf8), path: "the details of job run \(id.map(String.init) ?? "?") in the catalog",
                advice: "the catalog was changed outside Lifeboat; `lifeboat doctor` checks it")
        }
        run = try JobRun(
            id: row.decode(forColumn: "id"), kind: row.decode(forColumn: "kind"),
            service: row.decode(forColumn: "service"), backupID: row.decode(forColumn: "backup_id"),
            started: row.decode(forColumn: "started"), finished: row.decode(forColumn: "finished"),
            outcome: row.decode(forColumn: "outcome"), bytes: row.decode(forColumn: "bytes"),
            error: row.decode(forColumn: "error"), details: details)
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = run.id
        container["kind"] = run.kind
        container["service"] = run.service
        container["backup_id"] = run.backupID
        container["started"] = run.started
        container["finished"] = run.finished
        container["outcome"] = run.outcome
        container["bytes"] = run.bytes
        container["error"] = run.error
        if let details = run.details {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            container["details_json"] = String(decoding: try encoder.encode(details), as: UTF8.self)
        } else {
            container["details_json"] = nil as String?
        }
    }
}
