extension ComplianceReport {
    /// The report as Markdown (CommonMark with pipe tables), for a terminal, a ticket or a wiki.
    ///
    /// Order: title and window, the no-data notice when nothing was recorded, the summary per tier,
    /// open breaches, one section per service (status as a word and a symbol, reasons, figure
    /// tables), failures, then the evidence records. Ends with a newline.
    public func markdown() -> String {
        var lines = ["# RTO/RPO compliance report", "", "Window \(windowStart) → \(at) (\(windowDays)), repository `\(repository)`."]
        if noData { lines += ["", Self.noDataText] }
        lines += ["", "## Summary", ""]
        lines += summary.isEmpty ? ["No services in this report."] : summary.map { "- \($0.line)" }
        if !openBreaches.isEmpty {
            lines += ["", "## Open breaches", ""] + openBreaches.map { "- \(MarkdownText.inline($0.line))" }
        }
        lines += services.flatMap(\.markdownSection)
        lines += ["", "## Failures"] + MarkdownText.table(failuresTable, heading: nil)
        lines += ["", "## Evidence"]
        lines += services.isEmpty ? ["", "No records."] : services.flatMap(\.markdownEvidence)
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ComplianceReport.ServiceCompliance {
    fileprivate var markdownSection: [String] {
        var lines = ["", "## \(service) — \(status.label)", "", targetsLine]
        if !reasons.isEmpty { lines += [""] + reasons.map { "- \(MarkdownText.inline($0))" } }
        if reasons.isEmpty, status == .compliant { lines += ["", "Every target is met."] }
        return lines + figureTables.flatMap { MarkdownText.table($0, heading: "###") }
    }

    fileprivate var markdownEvidence: [String] {
        ["", "### \(service)"] + evidence.tables.flatMap { MarkdownText.table($0, heading: "####") }
    }
}

/// Markdown markup for report text: one line per item, pipes escaped inside tables.
private enum MarkdownText {
    /// A heading (when given), a blank line, then the pipe table or its empty text.
    static func table(_ table: ReportTable, heading: String?) -> [String] {
        let head = heading.map { ["", "\($0) \(table.title)"] } ?? []
        guard !table.rows.isEmpty else { return head + ["", table.emptyText] }
        let body = [row(table.headers), row(table.headers.map { _ in "---" })] + table.rows.map(row)
        return head + [""] + body
    }

    /// Text on one line: a record's error may span several.
    static func inline(_ text: String) -> String {
        text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).joined(separator: " ")
    }

    private static func row(_ cells: [String]) -> String {
        "| " + cells.map { inline($0).replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
    }
}
