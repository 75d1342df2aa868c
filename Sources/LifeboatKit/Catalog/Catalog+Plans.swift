import Foundation
import GRDB

/// Plan runs and drill results: history, the step durations plan estimates come from, and the
/// newest drill of each name (for cadences).
extension Catalog {
    public func record(planRun: PlanRunRecord) throws {
        try write("record a plan run in the catalog") { db in try Self.insert(planRun, db) }
    }

    public func record(drill: DrillRecord) throws {
        try write("record a drill in the catalog") { db in try Self.insert(drill, db) }
    }

    /// Past runs of `plan` (or all), newest first.
    public func planRuns(plan: String?, limit: Int = 1000) throws -> [PlanRunRecord] {
        try read("list plan runs from the catalog") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT record_json FROM plan_runs WHERE (?1 IS NULL OR plan = ?1) ORDER BY started DESC LIMIT ?2
                """, arguments: [plan, limit])
            return Self.decodeRecords(rows, as: PlanRunRecord.self)
        }
    }

    /// Past drills named `name` (or all), newest first.
    public func drills(name: String?, limit: Int = 1000) throws -> [DrillRecord] {
        try read("list drills from the catalog") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT record_json FROM drills WHERE (?1 IS NULL OR name = ?1) ORDER BY started DESC LIMIT ?2
                """, arguments: [name, limit])
            return Self.decodeRecords(rows, as: DrillRecord.self)
        }
    }

    /// The expected seconds of each step of `plan`: the median of its last (up to) 20 successful runs.
    public func stepEstimates(plan: String) throws -> [String: Double] {
        try read("read step durations from the catalog") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT s.step_id, s.seconds FROM plan_steps s JOIN plan_runs r ON r.id = s.run_id
                WHERE r.plan = ? AND s.state = 'succeeded' ORDER BY r.started DESC
                """, arguments: [plan])
            var samples: [String: [Double]] = [:]
            for row in rows {
                let id: String = row["step_id"]
                if samples[id, default: []].count < 20 { samples[id, default: []].append(row["seconds"]) }
            }
            return samples.mapValues { values in
                let sorted = values.sorted()
                return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            }
        }
    }

    /// Replaces every plan run and drill with those read from the repository (`catalog rebuild`).
    public func replacePlanRunsAndDrills(planRuns: [PlanRunRecord], drills: [DrillRecord]) throws {
        try write("rebuild the catalog's plan runs and drills") { db in
            try db.execute(sql: "DELETE FROM plan_steps; DELETE FROM plan_runs; DELETE FROM drills")
            for run in planRuns { try Self.insert(run, db) }
            for drill in drills { try Self.insert(drill, db) }
        }
    }

    /// A record as the catalog stores it in `record_json`: compact JSON with sorted keys.
    static func recordJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The `record_json` column of each row, decoded; rows that do not decode are left out.
    static func decodeRecords<T: Decodable>(_ rows: [Row], as type: T.Type) -> [T] {
        rows.compactMap { row in (row["record_json"] as String?).flatMap { try? JSONDecoder().decode(T.self, from: Data($0.utf8)) } }
    }

    private static func insert(_ run: PlanRunRecord, _ db: Database) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO plan_runs (id, plan, started, finished, outcome, elapsed, rto_target, rto_met, drill_id, record_json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [run.id, run.plan, run.started, run.finished, run.outcome, run.elapsedSeconds, run.rtoTargetSeconds,
                             run.rtoMet, run.drill, try recordJSON(run)])
        try db.execute(sql: "DELETE FROM plan_steps WHERE run_id = ?", arguments: [run.id])
        for step in run.steps {
            try db.execute(sql: """
                INSERT INTO plan_steps (run_id, step_id, kind, state, attempts, seconds, started) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run.id, step.id, step.kind, step.state, step.attempts.count, step.seconds, step.started])
        }
    }

    private static func insert(_ drill: DrillRecord, _ db: Database) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO drills (id, name, plan, started, disaster_at, finished, outcome, rto_achieved, rto_target,
                                           rpo_achieved, rpo_target, record_json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [drill.id, drill.drill, drill.plan, drill.started, drill.disasterAt, drill.finished, drill.outcome,
                             drill.rtoAchievedSeconds, drill.rtoTargetSeconds, drill.rpoAchievedSeconds, drill.rpoTargetSeconds,
                             try recordJSON(drill)])
    }
}
