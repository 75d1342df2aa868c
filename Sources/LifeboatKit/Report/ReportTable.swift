/// One table of the human-readable reports, built once so that Markdown and HTML show the same
/// figures in the same words; each renderer only decides the markup.
struct ReportTable {
    var title: String
    var headers: [String]
    var rows: [[String]]
    /// Said instead of an empty table, so a reader knows the section was not forgotten.
    var emptyText = ""
    /// Columns whose cells are identifiers or checksums, shown in monospace.
    var codeColumns: Set<Int> = []
}

extension ComplianceReport {
    /// What the reports say when nothing was recorded; text in backticks is a command.
    static let noDataText = "No data: Lifeboat has recorded no backups, verifications or drills for this "
        + "repository yet. Run `lifeboat backup --all` to take the first backups, then `lifeboat verify` to "
        + "prove they restore; this report fills in from what they record."

    /// `7 days`: the window's length, for the line under the title.
    var windowDays: String { ReportText.days(windowSeconds) }

    /// Failed jobs, verifications and drills, newest first.
    var failuresTable: ReportTable {
        ReportTable(
            title: "Failures", headers: ["Time", "Kind", "Service", "ID", "Error"],
            rows: failures.map { [$0.at, $0.kind, $0.service ?? ReportText.missing, $0.id ?? ReportText.missing, $0.error] },
            emptyText: "No failures in the window.", codeColumns: [3])
    }
}

extension ComplianceReport.TierSummary {
    /// `tier-1-critical (RTO 1h, RPO 5m): 2 compliant, 1 at risk, 0 breached; verified 66.7% of
    /// backups, 50.0% of bytes`.
    var line: String {
        "\(tier) (\(targetsText)): \(compliant) compliant, \(atRisk) at risk, \(breached) breached; \(verifiedText)"
    }

    /// `RTO 1h, RPO 5m`.
    var targetsText: String {
        "RTO \(ReportText.duration(rtoTargetSeconds)), RPO \(ReportText.duration(rpoTargetSeconds))"
    }

    /// `verified 66.7% of backups, 50.0% of bytes`, or why there is no share.
    var verifiedText: String {
        guard let verifiedBackupShare else { return "no backups in the window to verify" }
        let bytes = verifiedByteShare.map(ReportText.percent) ?? ReportText.missing
        return "verified \(ReportText.percent(verifiedBackupShare)) of backups, \(bytes) of bytes"
    }
}

extension ComplianceReport.Breach {
    /// `billing (tier-1-critical): what`.
    var line: String { "\(service) (\(tier)): \(what)" }
}
