import Foundation
import Testing
@testable import LifeboatKit

@Suite("Compliance report: HTML")
struct ReportHTMLTests {
    let html = RenderingFixture.report.html()

    @Test("the page is self-contained: inline style, no script, nothing loaded from elsewhere")
    func selfContained() {
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        #expect(html.contains("<style>"))
        for banned in ["<script", "http://", "https://", "src=", "href=", "url(", "@import", "<link", "<img", "<iframe", "<object"] {
            #expect(!html.contains(banned), "the page contains \(banned)")
        }
        #expect(html.firstMatch(of: /\son[a-z]+=/) == nil, "an inline event handler")
        #expect(html.contains("@media print"))
        #expect(html.contains("page-break-inside: avoid"))
    }

    @Test("same order as the Markdown: summary, open breaches, services, failures, evidence")
    func order() throws {
        let marks = ["<h2>Summary</h2>", "Open breaches</h2>", "<h2>billing <span class=\"status breached\">✖ BREACHED</span></h2>",
                     "<h2>web <span class=\"status compliant\">✔ COMPLIANT</span></h2>", "<h2>Failures</h2>", "<h2>Evidence</h2>"]
        let positions = try marks.map { mark in try #require(html.range(of: mark), "\(mark) missing").lowerBound }
        #expect(positions == positions.sorted())
        #expect(html.contains("<span class=\"count breached\">1 breached</span>"))
        #expect(html.contains("<td>OVERDUE (due 2026-11-20T02:00:00Z)</td>"))
        #expect(html.contains("<td class=\"code\">\(String(repeating: "ab", count: 32))</td>"))
    }

    @Test("report text is escaped: a reason holding <b>& shows as text")
    func escaping() {
        #expect(html.contains("<li>restore check printed &lt;b&gt;&amp; exit 3</li>"))
        #expect(html.contains("<li>latest drill &quot;billing-failover&quot; failed, restore refused</li>"))
        #expect(!html.contains("<b>"))
        #expect(HTMLText.escape(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }

    @Test("charts: coverage per tier, and per service recovery-point age and measured RTO, each titled and labelled")
    func charts() {
        #expect(html.components(separatedBy: "<svg ").count - 1 == 5)
        #expect(html.components(separatedBy: "role=\"img\"").count - 1 == 5)
        for title in ["Verification coverage by tier", "Recovery-point age of billing", "Recovery-point age of web",
                      "Measured RTO of billing", "Measured RTO of web"] {
            #expect(html.contains("<title>\(title)</title>"), "no chart titled \(title)")
        }
        #expect(html.contains("aria-label=\"Recovery-point age of billing across the window against the target RPO 5m: highest age 4d, 3 peaks over the target.\""))
        #expect(html.contains("aria-label=\"Measured RTO of web in the window against the target RTO 1h: 2 restore verifications and 1 drill, highest 25m 10s.\""))
        #expect(html.contains("aria-label=\"Recovery-point age of web across the window against the target RPO 5m: highest age 4m 50s, 0 peaks over the target.\""))
        #expect(html.contains(">target RPO 5m</text>"))
        #expect(html.contains("class=\"target\""))
        #expect(html.components(separatedBy: "<path class=\"over\"").count - 1 == 5, "billing's 3 peaks and both legends")
        #expect(html.contains("<circle class=\"verification\""))
        #expect(html.contains("<path class=\"drill\""))
        #expect(html.contains(">No data: no RTO measured in the window</text>"))
        #expect(html.contains(">60.0%</text>"))
        #expect(html.contains(">97.5%</text>"))
        #expect(html.contains(">3d</text>"), "a y tick in days")
    }
}

@Suite("Compliance report: no data")
struct ReportNoDataTests {
    let report = RenderingFixture.empty

    @Test("Markdown says there is no data and what to run, and still lists the service")
    func markdown() {
        let lines = report.markdown().components(separatedBy: "\n")
        #expect(Array(lines.prefix(5)) == [
            "# RTO/RPO compliance report", "", "Window 2026-11-24T00:00:00Z → 2026-11-25T00:00:00Z (1 day), repository `/srv/empty`.",
            "", ComplianceReport.noDataText,
        ])
        #expect(ComplianceReport.noDataText.hasPrefix("No data: Lifeboat has recorded no backups, verifications or drills for this repository yet. Run `lifeboat backup --all`"))
        #expect(lines.contains("- tier-2-important (RTO 4h, RPO 1h): 0 compliant, 0 at risk, 1 breached; no backups in the window to verify"))
        #expect(lines.contains("## files — ✖ BREACHED"))
        #expect(lines.contains("| 1h | no recovery point | — | — | 0.0% | 0 | none |"))
        #expect(lines.contains("| 0/0 (—) | — | never | none | 0 | 0 |"))
        #expect(lines.contains("No failures in the window."))
    }

    @Test("CSV keeps the header and writes unmeasured figures as empty fields")
    func csv() {
        #expect(report.csv() == ComplianceReport.csvColumns.joined(separator: ",") + "\n"
            + "files,tier-2-important,breached,3600,,,0,,,0,,,,14400,,,,,0,0,,,none,,,,,false,no recovery point: files has no complete backup\n")
    }

    @Test("JSON says noData and round-trips")
    func json() throws {
        let text = try report.json()
        #expect(text.contains(#""noData" : true"#))
        #expect(text.contains(#""newestRecoveryPoint" : null"#))
        #expect(try JSONDecoder().decode(ComplianceReport.self, from: Data(text.utf8)) == report)
    }

    @Test("HTML shows the notice with its commands and a no-data text in every chart")
    func html() {
        let html = report.html()
        #expect(html.contains("<p class=\"notice\">No data: Lifeboat has recorded no backups, verifications or drills for this repository yet. Run <code>lifeboat backup --all</code>"))
        #expect(html.contains(">No data: no recovery point in the window</text>"))
        #expect(html.contains(">No data: no RTO measured in the window</text>"))
        #expect(html.contains(">no backups in the window</text>"))
        #expect(html.contains("<span class=\"status breached\">✖ BREACHED</span>"))
    }

    @Test("a report without services says so in every format instead of drawing empty parts")
    func noServices() throws {
        let bare = ComplianceReport(at: "2026-11-25T00:00:00Z", windowStart: "2026-11-24T12:00:00Z", windowSeconds: 43_200,
                                    repository: "/srv/empty", noData: true, summary: [], services: [], failures: [], openBreaches: [])
        #expect(bare.markdown().contains("(0.5 days)"))
        #expect(bare.markdown().contains("\nNo services in this report.\n"))
        #expect(bare.markdown().hasSuffix("## Evidence\n\nNo records.\n"))
        #expect(bare.csv() == ComplianceReport.csvColumns.joined(separator: ",") + "\n")
        #expect(bare.html().contains(">No data: no tiers in this report</text>"))
        #expect(try JSONDecoder().decode(ComplianceReport.self, from: Data(bare.json().utf8)) == bare)
    }
}
