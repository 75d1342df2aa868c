/// The evidence of one service as tables: every record a figure rests on, with its checksum, so an
/// auditor can find the file in the repository and check it.
extension ComplianceReport.Evidence {
    var tables: [ReportTable] {
        [backupsTable, recordTable("Verifications", verifications), recordTable("Drills", drills)]
    }

    private var backupsTable: ReportTable {
        ReportTable(
            title: "Backups",
            headers: ["ID", "Kind", "Status", "Started", "Finished", "Manifest SHA-256", "Verified", "Evidence for"],
            rows: backups.map {
                [$0.id, $0.kind, $0.status, $0.started, $0.finished, $0.manifestSHA256 ?? ReportText.missing, $0.verified ? "yes" : "no",
                 $0.supports.joined(separator: "; ")]
            },
            emptyText: "No backups recorded.", codeColumns: [0, 5])
    }

    private func recordTable(_ title: String, _ records: [ComplianceReport.RecordEvidence]) -> ReportTable {
        ReportTable(
            title: title,
            headers: ["ID", "Time", "Outcome", "RTO", "SHA-256", "Detail"],
            rows: records.map {
                [$0.id, $0.at, $0.outcome, ReportText.duration($0.rtoSeconds, or: ReportText.missing), $0.sha256 ?? "missing", $0.detail]
            },
            emptyText: "No \(title.lowercased()) recorded.", codeColumns: [0, 4])
    }
}
