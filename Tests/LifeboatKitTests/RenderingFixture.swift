import Foundation
@testable import LifeboatKit

/// Hand-built reports for the rendering tests (`@testable`: the report's nested types have only
/// their memberwise initializers). One tier, a compliant service (`web`) and a breached one
/// (`billing`) with a failure, an open breach and reasons that need quoting and escaping.
enum RenderingFixture {
    static let commaReason = #"latest drill "billing-failover" failed, restore refused"#
    static let markupReason = "restore check printed <b>& exit 3"
    static let breachReason = "RPO breached: the newest recovery point is 2h 10m old (target 5m)"

    static var report: ComplianceReport {
        ComplianceReport(
            at: "2026-11-25T00:00:00Z", windowStart: "2026-11-18T00:00:00Z", windowSeconds: 604_800,
            repository: "/srv/lifeboat-repo", noData: false,
            summary: [.init(tier: "tier-1-critical", rtoTargetSeconds: 3_600, rpoTargetSeconds: 300, compliant: 1, atRisk: 0,
                            breached: 1, verifiedBackupShare: 0.6, verifiedByteShare: 0.975)],
            services: [billing, web],
            failures: [.init(at: "2026-11-24T21:50:00Z", kind: "backup", service: "billing", id: "20261124T215000.000Z-ab12",
                             error: "pg_dump: connection refused")],
            openBreaches: [.init(service: "billing", tier: "tier-1-critical", what: breachReason)])
    }

    static var web: ComplianceReport.ServiceCompliance {
        .init(
            service: "web", tier: "tier-1-critical", status: .compliant, reasons: [],
            rpo: .init(targetSeconds: 300, currentExposureSeconds: 120, worstGapSeconds: 290.1234, worstGapEnded: "2026-11-20T10:05:00Z",
                       compliantShare: 1, recoveryPoints: 2_016, newestRecoveryPoint: "2026-11-24T23:58:00Z"),
            verifiedRPO: .init(targetSeconds: 300, currentExposureSeconds: 75_600, worstGapSeconds: 90_061.5,
                               worstGapEnded: "2026-11-24T03:12:00Z", compliantShare: 0.01234, recoveryPoints: 2,
                               newestRecoveryPoint: "2026-11-24T03:00:00Z"),
            rto: .init(targetSeconds: 3_600, latestVerificationSeconds: 750, latestVerificationAt: "2026-11-24T03:00:00Z",
                       latestDrillSeconds: 1_510, latestDrillAt: "2026-11-21T02:00:00Z", worstSeconds: 1_510,
                       worstAt: "2026-11-21T02:00:00Z", projectedSeconds: 800, restoreBytesPerSecond: 26_214_400,
                       dataBytes: 10_737_418_240),
            coverage: .init(backupsInWindow: 3, backupsVerified: 2, bytesInWindow: 3_221_225_472, bytesVerified: 1_610_612_736,
                            lastGoodVerification: "2026-11-24T03:12:00Z", secondsSinceLastGoodVerification: 74_880,
                            cadence: "met", verificationsInWindow: 4, failedVerificationsInWindow: 0),
            drills: .init(lastDrill: "20261121T020000.000Z-d001", lastDrillName: "web-failover", lastDrillAt: "2026-11-21T02:00:00Z",
                          lastOutcome: "passed", rtoAchievedSeconds: 1_510, rpoAchievedSeconds: 240,
                          nextDue: "2026-12-21T02:00:00Z", overdue: false, drillsInWindow: 1),
            ageSeries: [.init(at: "2026-11-18T00:00:00.000Z", ageSeconds: 100), .init(at: "2026-11-20T10:05:00.000Z", ageSeconds: 290),
                        .init(at: "2026-11-20T10:05:00.000Z", ageSeconds: 30), .init(at: "2026-11-25T00:00:00.000Z", ageSeconds: 120)],
            evidence: .init(
                backups: [.init(id: "20261124T235800.000Z-0a1b", kind: "incremental", status: "complete", started: "2026-11-24T23:58:00Z",
                                finished: "2026-11-24T23:59:10Z", manifestSHA256: String(repeating: "ab", count: 32), verified: true)],
                verifications: [
                    .init(id: "v-0001", at: "2026-11-21T03:00:00Z", outcome: "passed", sha256: String(repeating: "cd", count: 32),
                          detail: "backup 20261121T000000.000Z-aaaa, RTO measured 15m", rtoSeconds: 900),
                    .init(id: "v-0002", at: "2026-11-24T03:00:00Z", outcome: "passed", sha256: nil,
                          detail: "backup 20261124T000000.000Z-bbbb, RTO measured 12m 30s", rtoSeconds: 750),
                ],
                drills: [.init(id: "20261121T020000.000Z-d001", at: "2026-11-21T02:00:00Z", outcome: "passed",
                               sha256: String(repeating: "ef", count: 32), detail: "drill web-failover, RTO achieved 25m 10s",
                               rtoSeconds: 1_510)]))
    }

    static var billing: ComplianceReport.ServiceCompliance {
        .init(
            service: "billing", tier: "tier-1-critical", status: .breached, reasons: [breachReason, commaReason, markupReason],
            rpo: .init(targetSeconds: 300, currentExposureSeconds: 7_800, worstGapSeconds: 7_800, worstGapEnded: "2026-11-25T00:00:00Z",
                       compliantShare: 0.951249, recoveryPoints: 1_900, newestRecoveryPoint: "2026-11-24T21:50:00Z"),
            verifiedRPO: .init(targetSeconds: 300, currentExposureSeconds: nil, worstGapSeconds: nil, worstGapEnded: nil,
                               compliantShare: 0, recoveryPoints: 0, newestRecoveryPoint: nil),
            rto: .init(targetSeconds: 3_600, latestVerificationSeconds: nil, latestVerificationAt: nil, latestDrillSeconds: nil,
                       latestDrillAt: nil, worstSeconds: nil, worstAt: nil, projectedSeconds: nil, restoreBytesPerSecond: nil,
                       dataBytes: 512),
            coverage: .init(backupsInWindow: 2, backupsVerified: 0, bytesInWindow: 1_024, bytesVerified: 0, lastGoodVerification: nil,
                            secondsSinceLastGoodVerification: nil, cadence: "missed", verificationsInWindow: 1,
                            failedVerificationsInWindow: 1),
            drills: .init(lastDrill: nil, lastDrillName: nil, lastDrillAt: nil, lastOutcome: nil, rtoAchievedSeconds: nil,
                          rpoAchievedSeconds: nil, nextDue: "2026-11-20T02:00:00Z", overdue: true, drillsInWindow: 0),
            ageSeries: [.init(at: "2026-11-18T00:00:00Z", ageSeconds: 200), .init(at: "2026-11-22T00:00:00Z", ageSeconds: 345_800),
                        .init(at: "2026-11-22T00:00:00Z", ageSeconds: 60), .init(at: "2026-11-24T21:50:00Z", ageSeconds: 251_460),
                        .init(at: "2026-11-24T21:50:00Z", ageSeconds: 0), .init(at: "2026-11-25T00:00:00Z", ageSeconds: 7_800)],
            evidence: .init(
                backups: [.init(id: "20261124T215000.000Z-ab12", kind: "full", status: "partial", started: "2026-11-24T21:50:00Z",
                                finished: "2026-11-24T21:50:04Z", manifestSHA256: nil, verified: false)],
                verifications: [.init(id: "v-0003", at: "2026-11-23T03:00:00Z", outcome: "failed", sha256: String(repeating: "12", count: 32),
                                      detail: "backup 20261122T000000.000Z-cccc, restore failed | checksum mismatch", rtoSeconds: nil)],
                drills: []))
    }

    /// What `lifeboat report` gives before anything ran: one configured service, nothing recorded.
    static var empty: ComplianceReport {
        let none = ComplianceReport.RPOFigures(targetSeconds: 3_600, currentExposureSeconds: nil, worstGapSeconds: nil, worstGapEnded: nil,
                                               compliantShare: 0, recoveryPoints: 0, newestRecoveryPoint: nil)
        let files = ComplianceReport.ServiceCompliance(
            service: "files", tier: "tier-2-important", status: .breached, reasons: ["no recovery point: files has no complete backup"],
            rpo: none, verifiedRPO: none,
            rto: .init(targetSeconds: 14_400, latestVerificationSeconds: nil, latestVerificationAt: nil, latestDrillSeconds: nil,
                       latestDrillAt: nil, worstSeconds: nil, worstAt: nil, projectedSeconds: nil, restoreBytesPerSecond: nil, dataBytes: nil),
            coverage: .init(backupsInWindow: 0, backupsVerified: 0, bytesInWindow: 0, bytesVerified: 0, lastGoodVerification: nil,
                            secondsSinceLastGoodVerification: nil, cadence: "none", verificationsInWindow: 0, failedVerificationsInWindow: 0),
            drills: .init(lastDrill: nil, lastDrillName: nil, lastDrillAt: nil, lastOutcome: nil, rtoAchievedSeconds: nil,
                          rpoAchievedSeconds: nil, nextDue: nil, overdue: false, drillsInWindow: 0),
            ageSeries: [], evidence: .init(backups: [], verifications: [], drills: []))
        return ComplianceReport(
            at: "2026-11-25T00:00:00Z", windowStart: "2026-11-24T00:00:00Z", windowSeconds: 86_400, repository: "/srv/empty",
            noData: true,
            summary: [.init(tier: "tier-2-important", rtoTargetSeconds: 14_400, rpoTargetSeconds: 3_600, compliant: 0, atRisk: 0,
                            breached: 1, verifiedBackupShare: nil, verifiedByteShare: nil)],
            services: [files], failures: [], openBreaches: [.init(service: "files", tier: "tier-2-important",
                                                                  what: "no recovery point: files has no complete backup")])
    }
}
