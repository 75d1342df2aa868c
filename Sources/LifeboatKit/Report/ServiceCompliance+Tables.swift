extension ComplianceReport.ServiceCompliance {
    /// The figure tables of the service's section, in reading order: RPO, verified RPO, RTO,
    /// verification coverage, drills. Missing figures read `—`, or "none"/"never" where that says more.
    var figureTables: [ReportTable] {
        [rpoTable(rpo, title: "RPO"), rpoTable(verifiedRPO, title: "Verified RPO")]
            + (offsite.map { [rpoTable($0.rpo, title: "Off-site RPO (\($0.targets.isEmpty ? "copies" : $0.targets.joined(separator: ", ")))")] } ?? [])
            + [rtoTable, coverageTable, drillsTable]
    }

    /// `Tier tier-1-critical: RPO target 5m, RTO target 1h.`: the service's own targets, which an
    /// override may have set apart from its tier's.
    var targetsLine: String {
        "Tier \(tier): RPO target \(ReportText.duration(rpo.targetSeconds)), RTO target \(ReportText.duration(rto.targetSeconds))."
    }

    private func rpoTable(_ figures: ComplianceReport.RPOFigures, title: String) -> ReportTable {
        let worst = ReportText.duration(figures.worstGapSeconds, or: ReportText.missing)
        return ReportTable(
            title: title,
            headers: ["Target", "Current exposure", "Worst gap", "Worst gap ended", "Window compliant", "Recovery points", "Newest recovery point"],
            rows: [[
                ReportText.duration(figures.targetSeconds),
                ReportText.duration(figures.currentExposureSeconds, or: "no recovery point"),
                worst, figures.worstGapEnded ?? ReportText.missing, ReportText.percent(figures.compliantShare),
                String(figures.recoveryPoints), figures.newestRecoveryPoint ?? "none",
            ]])
    }

    private var rtoTable: ReportTable {
        ReportTable(
            title: "RTO",
            headers: ["Target", "Latest verification", "Latest drill", "Worst in window", "Projected", "Restore throughput", "Data size"],
            rows: [[
                ReportText.duration(rto.targetSeconds),
                ReportText.duration(rto.latestVerificationSeconds, at: rto.latestVerificationAt, or: "none"),
                ReportText.duration(rto.latestDrillSeconds, at: rto.latestDrillAt, or: "none"),
                ReportText.duration(rto.worstSeconds, at: rto.worstAt, or: ReportText.missing),
                ReportText.duration(rto.projectedSeconds, or: ReportText.missing),
                rto.restoreBytesPerSecond.map { ReportText.bytes($0) + "/s" } ?? ReportText.missing,
                rto.dataBytes.map { ReportText.bytes(Double($0)) } ?? ReportText.missing,
            ]])
    }

    private var coverageTable: ReportTable {
        ReportTable(
            title: "Verification coverage",
            headers: ["Backups verified", "Bytes verified", "Last good verification", "Cadence", "Verifications", "Failed verifications"],
            rows: [[
                coverage.backupsText, coverage.bytesText, coverage.lastGoodText, coverage.cadence,
                String(coverage.verificationsInWindow), String(coverage.failedVerificationsInWindow),
            ]])
    }

    private var drillsTable: ReportTable {
        ReportTable(
            title: "Drills",
            headers: ["Last drill", "Outcome", "RTO achieved", "RPO achieved", "Next due", "Drills in window"],
            rows: [[
                drills.lastDrillText, drills.lastOutcome ?? ReportText.missing,
                ReportText.duration(drills.rtoAchievedSeconds, or: ReportText.missing),
                ReportText.duration(drills.rpoAchievedSeconds, or: ReportText.missing),
                drills.nextDueText, String(drills.drillsInWindow),
            ]])
    }
}

extension ComplianceReport.Coverage {
    /// `2/3 (66.7%)`; `0/0 (—)` when the window held no backup.
    var backupsText: String {
        let share = backupsInWindow > 0 ? ReportText.percent(Double(backupsVerified) / Double(backupsInWindow)) : ReportText.missing
        return "\(backupsVerified)/\(backupsInWindow) (\(share))"
    }

    /// `50.0% (5.0 GiB of 10.0 GiB)`.
    var bytesText: String {
        guard bytesInWindow > 0 else { return ReportText.missing }
        let share = ReportText.percent(Double(bytesVerified) / Double(bytesInWindow))
        return "\(share) (\(ReportText.bytes(Double(bytesVerified))) of \(ReportText.bytes(Double(bytesInWindow))))"
    }

    /// `2026-11-24T03:00:00Z (1d 02h ago)`, or `never`.
    var lastGoodText: String {
        guard let lastGoodVerification else { return "never" }
        return secondsSinceLastGoodVerification.map { "\(lastGoodVerification) (\(ReportText.duration($0)) ago)" } ?? lastGoodVerification
    }
}

extension ComplianceReport.DrillFigures {
    /// `billing-failover (20261124T…) at 2026-11-24T02:00:00Z`, or `never`.
    var lastDrillText: String {
        guard let lastDrill else { return "never" }
        let named = lastDrillName.map { "\($0) (\(lastDrill))" } ?? lastDrill
        return lastDrillAt.map { "\(named) at \($0)" } ?? named
    }

    /// The due time, prefixed `OVERDUE` when the cadence asked for a drill that did not happen.
    var nextDueText: String {
        let due = nextDue ?? "not scheduled"
        return overdue ? "OVERDUE (due \(due))" : due
    }
}
