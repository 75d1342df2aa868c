extension ComplianceReport {
    /// The report as one self-contained HTML5 page: inline style sheet and inline SVG charts, no
    /// script, nothing loaded from elsewhere, readable on screen and on paper.
    ///
    /// Same content and order as `markdown()`, plus charts: verification coverage per tier in the
    /// summary, and per service its recovery-point age and its measured RTOs. Status is a word, a
    /// symbol and a colour together. All report text is escaped.
    public func html() -> String {
        var body = [
            "<h1>RTO/RPO compliance report</h1>",
            "<p class=\"meta\">Window <time>\(e(windowStart))</time> → <time>\(e(at))</time> (\(e(windowDays))), repository <code>\(e(repository))</code>.</p>",
        ]
        if noData { body.append("<p class=\"notice\">\(HTMLText.withCode(Self.noDataText))</p>") }
        body += htmlSummary + htmlOpenBreaches
        body += services.map { $0.htmlSection(windowStart: windowStart, at: at) }
        body += ["<section class=\"failures\">", "<h2>Failures</h2>", failuresTable.html(heading: nil), "</section>"]
        body += htmlEvidence
        return Self.page(title: "RTO/RPO compliance report — \(repository)", body: body)
    }

    private static func page(title: String, body: [String]) -> String {
        ([
            "<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<title>\(e(title))</title>", "<style>", HTMLText.style, "</style>", "</head>", "<body>", "<main>",
        ] + body + ["</main>", "</body>", "</html>"]).joined(separator: "\n") + "\n"
    }

    private var htmlSummary: [String] {
        let items = summary.map { tier in
            "<li><strong>\(e(tier.tier))</strong> (\(e(tier.targetsText))): "
                + "<span class=\"count compliant\">\(tier.compliant) compliant</span>, "
                + "<span class=\"count at-risk\">\(tier.atRisk) at risk</span>, "
                + "<span class=\"count breached\">\(tier.breached) breached</span>; \(e(tier.verifiedText))</li>"
        }
        let list = items.isEmpty ? ["<p>No services in this report.</p>"] : ["<ul class=\"tiers\">"] + items + ["</ul>"]
        return ["<section class=\"summary\">", "<h2>Summary</h2>"] + list
            + ["<figure>", ReportCharts.coverage(summary), "</figure>", "</section>"]
    }

    private var htmlOpenBreaches: [String] {
        guard !openBreaches.isEmpty else { return [] }
        let items = openBreaches.map { "<li><strong>\(e($0.service))</strong> (\(e($0.tier))): \(e($0.what))</li>" }
        return ["<section class=\"breaches\">", "<h2><span class=\"breached\">✖</span> Open breaches</h2>", "<ul>"] + items + ["</ul>", "</section>"]
    }

    private var htmlEvidence: [String] {
        let perService = services.flatMap { service in
            ["<h3>\(e(service.service))</h3>"] + service.evidence.tables.map { $0.html(heading: "h4") }
        }
        return ["<section class=\"evidence\">", "<h2>Evidence</h2>"] + (perService.isEmpty ? ["<p>No records.</p>"] : perService) + ["</section>"]
    }
}

extension ComplianceReport.ServiceCompliance {
    fileprivate func htmlSection(windowStart: String, at: String) -> String {
        let badge = "<span class=\"status \(status.cssClass)\">\(e(status.label))</span>"
        var lines = ["<section class=\"service\">", "<div class=\"service-head\">", "<h2>\(e(service)) \(badge)</h2>", "<p>\(e(targetsLine))</p>"]
        if !reasons.isEmpty { lines += ["<ul class=\"reasons\">"] + reasons.map { "<li>\(e($0))</li>" } + ["</ul>"] }
        if reasons.isEmpty, status == .compliant { lines.append("<p>Every target is met.</p>") }
        lines.append("</div>")
        // Each chart follows the tables it illustrates.
        let charts = [
            "Verified RPO": ReportCharts.recoveryPointAge(self, windowStart: windowStart, at: at),
            "RTO": ReportCharts.measuredRTO(self, windowStart: windowStart, at: at),
        ]
        for table in figureTables {
            lines.append(table.html(heading: "h3"))
            if let chart = charts[table.title] { lines += ["<figure>", chart, "</figure>"] }
        }
        return (lines + ["</section>"]).joined(separator: "\n")
    }
}

extension ReportTable {
    /// The table under an optional heading (`h3`, `h4`), or its empty text as a paragraph.
    fileprivate func html(heading: String?) -> String {
        let head = heading.map { "<\($0)>\(e(title))</\($0)>\n" } ?? ""
        guard !rows.isEmpty else { return head + "<p>\(e(emptyText))</p>" }
        let headerRow = "<tr>" + headers.map { "<th scope=\"col\">\(e($0))</th>" }.joined() + "</tr>"
        let bodyRows = rows.map { row in
            "<tr>" + row.enumerated().map { index, cell in
                codeColumns.contains(index) ? "<td class=\"code\">\(e(cell))</td>" : "<td>\(e(cell))</td>"
            }.joined() + "</tr>"
        }
        return head + "<div class=\"scroll\"><table>\n<thead>\(headerRow)</thead>\n<tbody>\n"
            + bodyRows.joined(separator: "\n") + "\n</tbody>\n</table></div>"
    }
}

/// Short for `HTMLText.escape`, which almost every line of this file needs.
private func e(_ text: String) -> String { HTMLText.escape(text) }
