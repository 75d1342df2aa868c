import Foundation
import Testing
@testable import LifeboatKit

@Suite("Compliance report: Markdown and CSV")
struct ReportTextRenderingTests {
    @Test("durations read as people say them: two units at most, rounded", arguments: [
        (0.4, "0.4s"), (45, "45s"), (59.96, "1m"), (300, "5m"), (750, "12m 30s"), (3_599.7, "1h"), (3_600, "1h"),
        (11_100, "3h 05m"), (5_400, "1h 30m"), (86_400, "1d"), (187_200, "2d 04h"), (604_800, "7d"), (-90, "-1m 30s"), (.nan, "—"), (.infinity, "—"),
    ] as [(Double, String)])
    func durations(seconds: Double, text: String) {
        #expect(ReportText.duration(seconds) == text)
    }

    @Test("Markdown: title, window, summary per tier, breaches, then services, failures and evidence in that order")
    func markdownLayout() throws {
        let lines = RenderingFixture.report.markdown().components(separatedBy: "\n")
        #expect(lines.first == "# RTO/RPO compliance report")
        #expect(lines.contains("Window 2026-11-18T00:00:00Z → 2026-11-25T00:00:00Z (7 days), repository `/srv/lifeboat-repo`."))
        #expect(lines.contains("- tier-1-critical (RTO 1h, RPO 5m): 1 compliant, 0 at risk, 1 breached; verified 60.0% of backups, 97.5% of bytes"))
        #expect(lines.contains("- billing (tier-1-critical): \(RenderingFixture.breachReason)"))
        let headings = ["## Summary", "## Open breaches", "## billing — ✖ BREACHED", "## web — ✔ COMPLIANT", "## Failures", "## Evidence"]
        let positions = try headings.map { heading in try #require(lines.firstIndex(of: heading), "\(heading) missing") }
        #expect(positions == positions.sorted())
    }

    @Test("Markdown: each figure table shows the figures in people's units, missing ones as — or none")
    func markdownFigures() {
        let lines = Set(RenderingFixture.report.markdown().components(separatedBy: "\n"))
        let expected = [
            "| 5m | 2h 10m | 2h 10m | 2026-11-25T00:00:00Z | 95.1% | 1900 | 2026-11-24T21:50:00Z |",
            "| 5m | no recovery point | — | — | 0.0% | 0 | none |",
            "| 5m | 2m | 4m 50s | 2026-11-20T10:05:00Z | 100.0% | 2016 | 2026-11-24T23:58:00Z |",
            "| 1h | 12m 30s at 2026-11-24T03:00:00Z | 25m 10s at 2026-11-21T02:00:00Z | 25m 10s at 2026-11-21T02:00:00Z | 13m 20s | 25.0 MiB/s | 10.0 GiB |",
            "| 1h | none | none | — | — | — | 512 B |",
            "| 2/3 (66.7%) | 50.0% (1.5 GiB of 3.0 GiB) | 2026-11-24T03:12:00Z (20h 48m ago) | met | 4 | 0 |",
            "| never | — | — | — | OVERDUE (due 2026-11-20T02:00:00Z) | 0 |",
            "| web-failover (20261121T020000.000Z-d001) at 2026-11-21T02:00:00Z | passed | 25m 10s | 4m | 2026-12-21T02:00:00Z | 1 |",
            "| 2026-11-24T21:50:00Z | backup | billing | 20261124T215000.000Z-ab12 | pg_dump: connection refused |",
            "| v-0002 | 2026-11-24T03:00:00Z | passed | 12m 30s | missing | backup 20261124T000000.000Z-bbbb, RTO measured 12m 30s |",
            "| v-0003 | 2026-11-23T03:00:00Z | failed | — | \(String(repeating: "12", count: 32)) | backup 20261122T000000.000Z-cccc, restore failed \\| checksum mismatch |",
            "- \(RenderingFixture.markupReason)", "Every target is met.", "No drills recorded.",
        ]
        for line in expected { #expect(lines.contains(line), "missing: \(line)") }
    }

    @Test("CSV: a header and one row per service; quotes doubled, a field with a comma quoted, empty for null")
    func csv() {
        let header = ComplianceReport.csvColumns.joined(separator: ",")
        let billing = "billing,tier-1-critical,breached,300,7800,7800,0.9512,,,0,,,,3600,,,,,2,0,0,,missed,,,,2026-11-20T02:00:00Z,true,"
            + #""RPO breached: the newest recovery point is 2h 10m old (target 5m); latest drill ""billing-failover"" failed, "#
            + #"restore refused; restore check printed <b>& exit 3""#
        let web = "web,tier-1-critical,compliant,300,120,290.123,1,75600,90061.5,0.0123,,,,3600,750,1510,1510,800,3,2,0.5,"
            + "2026-11-24T03:12:00Z,met,passed,1510,240,2026-12-21T02:00:00Z,false,"
        #expect(RenderingFixture.report.csv() == header + "\n" + billing + "\n" + web + "\n")
        #expect(header.hasPrefix("service,tier,status,rpo_target_s,rpo_current_exposure_s,"))
        #expect(header.hasSuffix(",drill_next_due,drill_overdue,reasons"))
        #expect(ComplianceReport.csvColumns.count == 29)
    }
}

@Suite("Compliance report: JSON")
struct ReportJSONTests {
    @Test("JSON round-trips, says schema 1, and writes every unmeasured figure as null")
    func roundTrip() throws {
        for report in [RenderingFixture.report, RenderingFixture.empty] {
            let text = try report.json()
            #expect(try JSONDecoder().decode(ComplianceReport.self, from: Data(text.utf8)) == report)
            #expect(text.contains(#""schema" : 1"#))
            #expect(text.hasSuffix("}\n"))
        }
        let text = try RenderingFixture.report.json()
        #expect(text.contains(#""repository" : "/srv/lifeboat-repo""#))
        #expect(text.contains(#""currentExposureSeconds" : null"#))
        #expect(text.contains(#""manifestSHA256" : null"#))
        #expect(text.contains(#""rtoSeconds" : null"#))
        #expect(text.contains(#""worstGapSeconds" : 90061.5"#))
        #expect(text.firstRange(of: #""at" : "2026-11-25T00:00:00Z""#)!.lowerBound < text.firstRange(of: #""failures""#)!.lowerBound)
    }
}

@Suite("Compliance report: documented example")
struct ReportSchemaDocTests {
    static let document: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        url.deleteLastPathComponent()
        url.deleteLastPathComponent()
        return (try? String(contentsOf: url.appendingPathComponent("docs/report-schema.md"), encoding: .utf8)) ?? ""
    }()

    /// The text of the first fenced block of `language` in the schema page.
    private func block(_ language: String) throws -> String {
        let start = try #require(Self.document.range(of: "```\(language)\n"), "docs/report-schema.md has no \(language) example")
        let end = try #require(Self.document.range(of: "```", range: start.upperBound..<Self.document.endIndex))
        return String(Self.document[start.upperBound..<end.lowerBound])
    }

    @Test("docs/report-schema.md's JSON example decodes, and renders back to the same JSON and CSV")
    func example() throws {
        let json = try block("json")
        let report = try JSONDecoder().decode(ComplianceReport.self, from: Data(json.utf8))
        #expect(try report.json() == json)
        #expect(report.csv() == (try block("csv")))
    }
}
