import Foundation
import GRDB

extension Catalog {
    /// Adds (or replaces) one verification.
    public func record(verification: VerificationRecord) throws {
        try write("record a verification in the catalog") { db in try Self.insert(verification, db) }
    }

    /// Past verifications of `service` (or all), newest first.
    public func verifications(service: String?, limit: Int = 1000) throws -> [VerificationRecord] {
        try read("list verifications from the catalog") { db in
            let rows = service == nil
                ? try Row.fetchAll(db, sql: "SELECT record_json FROM verifications ORDER BY started DESC LIMIT ?", arguments: [limit])
                : try Row.fetchAll(db, sql: "SELECT record_json FROM verifications WHERE service = ? ORDER BY started DESC LIMIT ?",
                                   arguments: [service, limit])
            return Self.decodeRecords(rows, as: VerificationRecord.self)
        }
    }

    /// The ids of every catalogued verification.
    public func verificationIDs() throws -> Set<String> {
        try read("list verifications from the catalog") { db in
            try String.fetchSet(db, sql: "SELECT id FROM verifications")
        }
    }

    /// When the newest restore verification of `service` that passed started (any host's), or nil.
    public func lastPassedVerification(service: String) throws -> Date? {
        try read("read the last verification from the catalog") { db in
            try String.fetchOne(db, sql: "SELECT MAX(started) FROM verifications WHERE service = ? AND outcome = 'passed'",
                                arguments: [service]).flatMap(Timestamp.parse)
        }
    }

    /// Replaces every verification with those read from the repository (`catalog rebuild`).
    public func replaceVerifications(_ records: [VerificationRecord]) throws {
        try write("rebuild the catalog's verifications") { db in
            try db.execute(sql: "DELETE FROM verifications")
            for record in records { try Self.insert(record, db) }
        }
    }

    private static func insert(_ record: VerificationRecord, _ db: Database) throws {
        let json = try recordJSON(record)
        try db.execute(sql: """
            INSERT OR REPLACE INTO verifications (id, service, backup_id, started, outcome, isolation, rto_measured, rto_target, record_json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [record.id, record.service, record.backup, record.started, record.outcome, record.isolation,
                             record.rtoMeasuredSeconds, record.rtoTargetSeconds, json])
    }
}
