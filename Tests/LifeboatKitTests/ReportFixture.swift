import Foundation
@testable import LifeboatKit

/// A repository and catalog holding 90+ days of known history, for the compliance report:
///
/// - `web` (tier `gold`: RTO 10m, RPO 6h, verify Mondays 03:00, drills quarterly): a backup every 4 h
///   (10 min each), except none started on 2026-02-10 — a 28h10m gap that breached the RPO; a passing
///   restore verification of the newest backup every Monday 03:10 (RTO 2 min), but the one of 2026-03-02
///   took 15 min (over the RTO); a passed drill on 2026-01-05. Status: at risk.
/// - `db` (tier `silver`: RTO 1h, RPO 26h, no verification, drills monthly): a backup daily at 01:00
///   (30 min each); a failed backup job on 2026-03-15; its last drill on 2026-02-01 (passed), so the
///   drill of 2026-03-01 was missed. Status: at risk.
/// - `cache` (tier `gold`): backups every 4 h until 2026-03-31 00:00, then nothing: breached now.
///
/// The report is computed at 2026-04-01T12:00:00Z over 90 days.
struct ReportFixture {
    static let at = Timestamp.parse("2026-04-01T12:00:00Z")!
    static let window = 90.0 * 86_400
    static let yaml = """
        repository: ./repo
        catalog: ./catalog.sqlite
        tiers:
          gold: { rto: 10m, rpo: 6h, full: "0 0 * * *", incremental: "0 */4 * * *", verify: "0 3 * * 1", drill: quarterly }
          silver: { rto: 1h, rpo: 1d2h, full: "0 1 * * *", incremental: "0 1 * * *", verify: null, drill: monthly }
        services:
          web: { tier: gold, source: { type: files, paths: [./srv/web] } }
          db: { tier: silver, source: { type: files, paths: [./srv/db] } }
          cache: { tier: gold, source: { type: files, paths: [./srv/cache] } }
        """

    let root: String
    let workspace: Workspace
    private var serial = 0

    /// An empty repository and catalog (for the "no data" report) or the full history.
    init(history: Bool) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-report-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try Self.yaml.write(toFile: "\(root)/lifeboat.yaml", atomically: true, encoding: .utf8)
        let config = try LifeboatConfig.load(explicitPath: "\(root)/lifeboat.yaml", environment: [:], currentDirectory: root)
        workspace = try Workspace.initialize(config: config)
        if history { try write() }
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    static func time(_ text: String) -> Date { Timestamp.parse(text)! }

    private mutating func write() throws {
        let start = Self.time("2025-12-25T00:00:00Z")
        let gap = Self.time("2026-02-10T00:00:00Z")..<Self.time("2026-02-11T00:00:00Z")
        var web: [BackupRecord] = []
        var t = start
        while t < Self.at {
            if !gap.contains(t) { web.append(try backup("web", started: t, minutes: 10)) }
            if t < Self.time("2026-03-31T00:00:01Z") { _ = try backup("cache", started: t, minutes: 10) }
            t += 4 * 3_600
        }
        t = start + 3_600
        while t < Self.at {
            _ = try backup("db", started: t, minutes: 30)
            t += 86_400
        }
        // A verification of web's newest backup every Monday at 03:10.
        var monday = Self.time("2025-12-29T03:10:00Z")
        while monday < Self.at {
            let newest = web.last { Timestamp.parse($0.finished)! <= monday }!
            let slow = Timestamp.format(monday).hasPrefix("2026-03-02")
            try verification(of: newest, at: monday, seconds: slow ? 900 : 120)
            monday += 7 * 86_400
        }
        try drill("web-lost", services: ["web"], at: Self.time("2026-01-05T10:00:00Z"), rto: 200, rpo: 3_600)
        try drill("db-lost", services: ["db"], at: Self.time("2026-02-01T10:00:00Z"), rto: 1_200, rpo: 32_400)
        try workspace.catalog.recordJob(JobRun(kind: "backup", service: "db", started: "2026-03-15T01:00:00.000Z",
                                               finished: "2026-03-15T01:05:00.000Z", outcome: "failed",
                                               error: "cannot read /srv/db/data: Permission denied"))
    }

    /// A committed backup: its `backup.json` in the repository (the catalog is synced from it).
    private mutating func backup(_ service: String, started: Date, minutes: Double) throws -> BackupRecord {
        serial += 1
        let id = "\(Self.compact(started))-\(String(format: "%04x", serial))"
        var stats = BackupRecord.Stats()
        stats.files = 10
        stats.totalBytes = 600_000
        stats.bytesStored = 1_000
        let record = BackupRecord(
            id: id, service: service, kind: .full, parent: nil, tier: nil, host: "fixture-host",
            started: Timestamp.format(started), finished: Timestamp.format(started + minutes * 60), sources: ["/srv/\(service)"],
            status: "complete", compression: "zstd", stats: stats,
            objects: [.init(name: "manifest.json.zst", size: 100, sha256: String(repeating: "ab", count: 32))], warnings: [])
        let folder = "\(root)/repo/services/\(service)/\(id)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(record).write(to: URL(fileURLWithPath: "\(folder)/backup.json"))
        return record
    }

    private func verification(of backup: BackupRecord, at started: Date, seconds: Double) throws {
        let record = VerificationRecord(
            id: "\(Self.compact(started))-\(backup.service)", service: backup.service, backup: backup.id, host: "fixture-host",
            started: Timestamp.format(started), finished: Timestamp.format(started + seconds), isolation: "fixture",
            phases: [], files: 10, bytes: 600_000, bytesPerSecond: 600_000 / (seconds - 10),
            checks: [.init(name: "smoke", kind: "command", passed: true, seconds: 10, output: "")],
            rtoMeasuredSeconds: seconds, rtoTargetSeconds: 600, rtoMet: seconds <= 600, outcome: "passed", problems: [])
        try workspace.repository.write(verification: record)
        try workspace.catalog.record(verification: record)
    }

    private func drill(_ name: String, services: [String], at started: Date, rto: Double, rpo: Double) throws {
        let record = DrillRecord(
            id: "\(Self.compact(started))-\(name)", drill: name, file: "Drills/\(name).yaml", plan: "\(name)-plan", host: "fixture-host",
            services: services, started: Timestamp.format(started), disasterAt: Timestamp.format(started + 60),
            finished: Timestamp.format(started + 60 + rto + 30), outcome: "passed", rtoAchievedSeconds: rto, rtoTargetSeconds: 600,
            rpoAchievedSeconds: rpo, rpoTargetSeconds: 21_600, recoveryPoints: [], planRun: nil, phases: [], checks: [], problems: [])
        try workspace.repository.write(drill: record)
        try workspace.catalog.record(drill: record)
    }

    /// `20260101T120000.000Z`, the time part of a backup id.
    static func compact(_ date: Date) -> String {
        Timestamp.format(date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }
}
