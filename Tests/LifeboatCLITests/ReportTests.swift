import Foundation
import Testing

/// `lifeboat report` through the binary: formats, exit codes, the output file, and the HTML as a
/// browser renders it (headless Chromium).
@Suite("Compliance report through the binary")
struct ReportTests {
    private func harness(_ name: String = #function) throws -> CLIHarness {
        let h = try CLIHarness(name: name)
        try "a\n".write(toFile: "\(h.source)/a.txt", atomically: false, encoding: .utf8)
        try h.ok("init")
        try h.ok("backup", "app")
        try h.ok("verify", "app")
        return h
    }

    @Test("a fresh backup and verification comply (at risk only for the missing drill); a day later the RPO is breached: exit 4")
    func exitCodes() throws {
        let h = try harness()
        defer { h.remove() }
        let now = try h.ok("report")
        #expect(now.stdout.contains("# RTO/RPO compliance report"), "\(now.stdout)")
        #expect(now.stdout.contains("AT RISK") && now.stdout.contains("drill overdue"), "\(now.stdout)")
        let json = try h.ok("report", "--format", "json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["schema"] as? Int == 1)

        let later = Date().addingTimeInterval(86_400)
        let stamp = ISO8601DateFormatter().string(from: later)
        let breached = try h.lifeboat("report", "--at", stamp, "--format", "csv")
        #expect(breached.status == 4, "\(breached.output)")
        #expect(breached.stdout.split(separator: "\n").count == 2 && breached.stdout.contains("app,tier-1-critical,breached"), "\(breached.stdout)")
    }

    @Test("--output replaces the file whole; a folder that does not exist is a clear error")
    func outputFile() throws {
        let h = try harness()
        defer { h.remove() }
        try "old".write(toFile: "\(h.root)/report.md", atomically: false, encoding: .utf8)
        let result = try h.lifeboat("report", "--output", "\(h.root)/report.md")
        #expect(result.status == 0 && result.stdout.isEmpty, "\(result.output)")
        #expect(try String(contentsOfFile: "\(h.root)/report.md", encoding: .utf8).hasPrefix("# RTO/RPO compliance report"))
        let missing = try h.lifeboat("report", "--output", "\(h.root)/nope/report.md")
        #expect(missing.status == 1 && missing.stderr.contains("cannot write the report"), "\(missing.output)")
        let badWindow = try h.lifeboat("report", "--window", "ninety")
        #expect(badWindow.status == 2 && badWindow.stderr.contains("--window"), "\(badWindow.output)")
    }

    @Test("the HTML report renders in headless Chromium: a non-blank page with the service and its status")
    func htmlInChromium() throws {
        let h = try harness()
        defer { h.remove() }
        try h.ok("report", "--format", "html", "--output", "\(h.root)/report.html")
        let html = try String(contentsOfFile: "\(h.root)/report.html", encoding: .utf8)
        #expect(!html.contains("<script") && html.contains("<svg"))
        let chromium = try #require(["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                    "Chromium is missing: run Scripts/install-deps --tests")
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(h.root)/chromium-profile"]
        let dom = try h.run(chromium, flags + ["--dump-dom", "file://\(h.root)/report.html"])
        #expect(dom.stdout.contains("app") && dom.stdout.contains("AT RISK") && dom.stdout.contains("tier-1-critical"), "\(dom.stdout.prefix(2000))")
        _ = try h.run(chromium, flags + ["--screenshot=\(h.root)/report.png", "--window-size=1280,2000", "file://\(h.root)/report.html"])
        try "<html><body></body></html>".write(toFile: "\(h.root)/blank.html", atomically: false, encoding: .utf8)
        _ = try h.run(chromium, flags + ["--screenshot=\(h.root)/blank.png", "--window-size=1280,2000", "file://\(h.root)/blank.html"])
        let page = try FileManager.default.attributesOfItem(atPath: "\(h.root)/report.png")[.size] as? Int ?? 0
        let blank = try FileManager.default.attributesOfItem(atPath: "\(h.root)/blank.png")[.size] as? Int ?? 0
        // A rendered page compresses far worse than a blank one of the same size.
        #expect(page > 5 * blank && page > 20_000, "report.png \(page) bytes, blank.png \(blank) bytes")
    }
}
