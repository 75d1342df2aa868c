import Foundation
import LifeboatNative
@testable import LifeboatKit
import Testing

/// The compliance report of a fixture with known history (see `ReportFixture`): exact figures, the
/// same in every format, and a clear report when nothing was recorded.
@Suite("Compliance report figures", .serialized)
struct ComplianceReportTests {
    static let goldens = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/report").path

    private func report() throws -> (ComplianceReport, ReportFixture) {
        let fixture = try ReportFixture(history: true)
        return (try fixture.workspace.complianceReport(at: ReportFixture.at, window: ReportFixture.window), fixture)
    }

    /// Equal within a millisecond (times are read from ISO 8601 text into binary floating point).
    private func near(_ value: Double?, _ expected: Double) -> Bool {
        value.map { abs($0 - expected) < 0.001 } ?? false
    }

    private func service(_ report: ComplianceReport, _ name: String) throws -> ComplianceReport.ServiceCompliance {
        try #require(report.services.first { $0.service == name })
    }

    @Test("RPO: exposure, the worst gap and when it ended, the share of the window in compliance")
    func rpo() throws {
        let (report, fixture) = try report()
        defer { fixture.remove() }
        let web = try service(report, "web")
        // Newest backup started 08:00, 4 h before the report.
        #expect(near(web.rpo.currentExposureSeconds, 4 * 3_600))
        // No backup started on 2026-02-10: from 02-09 20:00 (the last start) to 02-11 00:10 (the next one available).
        #expect(web.rpo.worstGapSeconds == Double(28 * 3_600 + 600))
        #expect(web.rpo.worstGapEnded == "2026-02-11T00:10:00.000Z")
        // Out of compliance from 02-10 02:00 (20:00 + 6 h) to 02-11 00:10: 22h10m of 90 days.
        #expect(abs(web.rpo.compliantShare - (1 - 79_800.0 / (90 * 86_400))) < 1e-9)
        // 540 four-hour slots in the window, 6 skipped, plus the point in effect at its start.
        #expect(web.rpo.recoveryPoints == 535)
        #expect(web.status == .atRisk)
        #expect(web.reasons.contains { $0.hasPrefix("RPO was breached in the window: a gap of 1d 04h") })

        let cache = try service(report, "cache")
        #expect(near(cache.rpo.currentExposureSeconds, 36 * 3_600))  // last start 03-31 00:00
        #expect(cache.status == .breached)
        #expect(cache.reasons.first == "RPO breached: the newest recovery point is 1d 12h old (target 6h)")
        #expect(abs(cache.rpo.compliantShare - (1 - 30 * 3_600.0 / (90 * 86_400))) < 1e-9)  // from 03-31 06:00 to 04-01 12:00

        let db = try service(report, "db")
        #expect(near(db.rpo.currentExposureSeconds, 11 * 3_600))  // 01:00 today
        #expect(near(db.rpo.worstGapSeconds, 86_400 + 1_800))
        #expect(db.rpo.compliantShare == 1)
    }

    @Test("verified RPO counts only verified backups, from when their verification passed")
    func verifiedRPO() throws {
        let (report, fixture) = try report()
        defer { fixture.remove() }
        let web = try service(report, "web")
        // The newest verified backup: verified Monday 2026-03-30 03:10 (it started at 00:00, the newest then).
        #expect(web.verifiedRPO.newestRecoveryPoint == "2026-03-30T00:00:00.000Z")
        #expect(web.verifiedRPO.currentExposureSeconds == Double(2 * 86_400 + 12 * 3_600))
        // Weekly verifications never keep a 6 h RPO: a week plus the verification's own delay, the
        // longest after the slow verification of 2026-03-02 (15 min).
        let weekAndSlowVerification: Double = 7 * 86_400 + 3 * 3_600 + 10 * 60 + 900
        #expect(near(web.verifiedRPO.worstGapSeconds, weekAndSlowVerification))
        #expect(web.verifiedRPO.worstGapEnded == "2026-03-02T03:25:00.000Z")
        #expect(web.verifiedRPO.compliantShare < 0.05)
        #expect(try service(report, "db").verifiedRPO.currentExposureSeconds == nil)
    }

    @Test("RTO: latest and worst measured, projected from throughput; verification coverage and cadence")
    func rtoAndCoverage() throws {
        let (report, fixture) = try report()
        defer { fixture.remove() }
        let web = try service(report, "web")
        #expect(web.rto.latestVerificationSeconds == 120 && web.rto.latestVerificationAt == "2026-03-30T03:10:00.000Z")
        #expect(web.rto.worstSeconds == 900 && web.rto.worstAt == "2026-03-02T03:10:00.000Z")
        #expect(near(web.rto.latestDrillSeconds, 200))
        // 600 000 bytes at 600 000 / 110 bytes per second, plus 10 s of checks.
        #expect(abs((web.rto.projectedSeconds ?? 0) - 120) < 1e-6)
        #expect(web.reasons.contains("RTO was breached in the window: 15m measured 2026-03-02T03:10:00.000Z"))
        // 13 Mondays in the window, each verifying one backup out of 534 in the window.
        #expect(web.coverage.backupsInWindow == 534 && web.coverage.backupsVerified == 13)
        #expect(web.coverage.bytesInWindow == 534_000 && web.coverage.bytesVerified == 13_000)
        #expect(web.coverage.cadence == "met" && web.coverage.verificationsInWindow == 13)
        let sinceVerified: Double = 2 * 86_400 + 8 * 3_600 + 48 * 60  // verified 03-30 03:12
        #expect(web.coverage.secondsSinceLastGoodVerification == sinceVerified)
        let cache = try service(report, "cache")
        #expect(cache.coverage.cadence == "missed" && cache.coverage.lastGoodVerification == nil)
        #expect(try service(report, "db").coverage.cadence == "none")
        let gold = try #require(report.summary.first { $0.tier == "gold" })
        #expect(gold.compliant == 0 && gold.atRisk == 1 && gold.breached == 1)
        #expect(abs((gold.verifiedBackupShare ?? 0) - 13.0 / (534 + 532)) < 1e-9)
    }

    @Test("drills: the last one per service, next due, a missed one flagged; failures and evidence")
    func drillsFailuresEvidence() throws {
        let (report, fixture) = try report()
        defer { fixture.remove() }
        let web = try service(report, "web")
        #expect(web.drills.lastDrillName == "web-lost" && web.drills.lastOutcome == "passed" && web.drills.rtoAchievedSeconds == 200)
        #expect(!web.drills.overdue)  // quarterly: the 04-01 slot is 12 h old, within a day's grace
        let db = try service(report, "db")
        #expect(db.drills.overdue && db.drills.nextDue == "2026-03-01T00:00:00.000Z")
        #expect(db.status == .atRisk && db.reasons.contains("drill overdue since 2026-03-01T00:00:00.000Z"))
        #expect(report.failures.count == 1)
        #expect(report.failures.first?.error == "cannot read /srv/db/data: Permission denied" && report.failures.first?.service == "db")
        #expect(report.openBreaches.map(\.service) == ["cache"])
        #expect(report.anyBreach)
        // Evidence: every verification in the window with the SHA-256 of its record file.
        let evidence = try #require(web.evidence.verifications.first)
        let file = "\(fixture.workspace.repository.root)/records/verifications/\(evidence.id).json"
        #expect(evidence.sha256 == (try SHA256Hasher.digestFile(Array(file.utf8)).digest.hex))
        #expect(web.evidence.verifications.count == 13 && web.evidence.drills.count == 1)
        #expect(web.evidence.backups.filter(\.verified).count == 13)
    }

    @Test("the same figures in Markdown, JSON and CSV as the golden files")
    func goldenFormats() throws {
        let (report, fixture) = try report()
        defer { fixture.remove() }
        let root = fixture.workspace.repository.root
        let outputs = ["report.md": report.markdown(), "report.json": try report.json(), "report.csv": report.csv()]
            .mapValues { $0.replacingOccurrences(of: root, with: "REPOSITORY") }
        for (name, text) in outputs {
            let path = "\(Self.goldens)/\(name)"
            if ProcessInfo.processInfo.environment["LIFEBOAT_UPDATE_GOLDENS"] == "1" {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            }
            let expected = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text == expected, "\(name) differs from \(path); if the change is intended, rerun with LIFEBOAT_UPDATE_GOLDENS=1 and review the diff")
        }
        let decoded = try JSONDecoder().decode(ComplianceReport.self, from: Data(try report.json().utf8))
        #expect(decoded == report)
    }

    @Test("an empty catalog gives a clear no-data report in every format, not a crash")
    func noData() throws {
        let fixture = try ReportFixture(history: false)
        defer { fixture.remove() }
        let report = try fixture.workspace.complianceReport(at: ReportFixture.at, window: ReportFixture.window)
        #expect(report.noData)
        #expect(report.services.allSatisfy { $0.status == .breached && $0.reasons.first?.hasPrefix("no recovery point") == true })
        #expect(report.markdown().contains("No data"))
        #expect(report.html().contains("No data"))
        #expect(report.csv().split(separator: "\n").count == 1 + 3)
        #expect(try report.json().contains("\"noData\" : true"))
    }
}
