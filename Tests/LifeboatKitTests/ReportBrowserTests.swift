import Foundation
import Testing
@testable import LifeboatKit

extension Tag {
    /// Tests that start a real browser (seconds each).
    @Tag static var browser: Self
}

/// Renders the HTML report in a real browser, headless Chromium: the page must parse into the
/// expected text and paint something other than a blank page. Chromium is a test dependency that
/// `Scripts/install-deps` installs; without it the test fails rather than skipping.
@Suite("Compliance report in Chromium", .tags(.browser))
struct ReportBrowserTests {
    @Test("Chromium paints the report and its DOM holds every service, the breach and the escaped reason",
          .timeLimit(.minutes(3)))
    func rendersInChromium() throws {
        guard let chromium = Self.chromium() else {
            Issue.record("Chromium is not installed (no `chromium` on PATH): run Scripts/install-deps")
            return
        }
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("lifeboat-report-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("report.html"), blank = folder.appendingPathComponent("blank.html")
        try RenderingFixture.report.html().write(to: page, atomically: true, encoding: .utf8)
        try "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>blank</title></head><body></body></html>"
            .write(to: blank, atomically: true, encoding: .utf8)

        let dom = try Self.run(chromium, ["--dump-dom", page.absoluteString], in: folder)
        for text in ["billing", "web", "✖ BREACHED", "✔ COMPLIANT", "Open breaches", "Recovery-point age of web",
                     "restore check printed &lt;b&gt;&amp; exit 3"] {
            #expect(dom.contains(text), "the DOM Chromium built lacks \(text)")
        }

        let reportSize = try Self.screenshot(chromium, page, in: folder)
        let blankSize = try Self.screenshot(chromium, blank, in: folder)
        #expect(reportSize > 50_000 && reportSize > 4 * blankSize,
                "the screenshot (\(reportSize) bytes) is not much larger than a blank page's (\(blankSize) bytes)")
    }

    /// `chromium` (Debian) or `chromium-browser` (Ubuntu) on PATH.
    private static func chromium() -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return ["chromium", "chromium-browser"].lazy.flatMap { name in folders.map { "\($0)/\(name)" } }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A 1280 × 2000 PNG of `page`; returns its size in bytes after checking it is a PNG of that size.
    private static func screenshot(_ chromium: String, _ page: URL, in folder: URL) throws -> Int {
        let png = folder.appendingPathComponent(page.deletingPathExtension().lastPathComponent + ".png")
        _ = try run(chromium, ["--screenshot=\(png.path)", "--window-size=1280,2000", page.absoluteString], in: folder)
        let data = try Data(contentsOf: png)
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "\(png.path) is not a PNG")
        #expect(Array(data.dropFirst(16).prefix(8)) == [0, 0, 5, 0, 0, 0, 7, 0xD0], "\(png.path) is not 1280 × 2000")
        return data.count
    }

    /// Runs headless Chromium with its own profile folder; returns stdout. Output goes to files, not
    /// pipes, so a large DOM cannot stall it; a run over a minute is stopped and fails the test.
    /// Chromium logs D-Bus errors on stderr in containers; they are harmless and only shown on failure.
    private static func run(_ chromium: String, _ arguments: [String], in folder: URL) throws -> String {
        let name = UUID().uuidString.prefix(8)
        let stdout = folder.appendingPathComponent("\(name).out"), stderr = folder.appendingPathComponent("\(name).err")
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(folder.path)/profile"] + arguments
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        let errors = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
        #expect(process.terminationReason == .exit && process.terminationStatus == 0,
                "chromium \(arguments.joined(separator: " ")) failed or took over a minute:\n\(errors)")
        return try String(contentsOf: stdout, encoding: .utf8)
    }
}
