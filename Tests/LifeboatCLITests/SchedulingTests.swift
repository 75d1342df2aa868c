import Foundation
import Glibc
import Testing

/// run-due, daemon and locks through the binary.
@Suite("Scheduling through the binary")
struct SchedulingTests {
    /// A tier whose slots fire once a year, so nothing becomes due again while a test runs.
    private static let yearly = """
    repository: ./repo
    catalog: ./catalog.sqlite
    tiers:
      quiet: { rto: 1h, rpo: 1h, full: "0 0 1 1 *", incremental: "0 0 1 1 *", verify: "0 0 1 1 *" }
    services:
      app:
        tier: quiet
        source: { type: files, paths: [./srv/app] }
      web:
        tier: quiet
        source: { type: files, paths: [./srv/web] }
    """

    private func makeSources(_ h: CLIHarness) throws {
        try FileManager.default.createDirectory(atPath: "\(h.root)/srv/web", withIntermediateDirectories: true)
        try "a\n".write(toFile: "\(h.source)/a.txt", atomically: false, encoding: .utf8)
        try "w\n".write(toFile: "\(h.root)/srv/web/w.txt", atomically: false, encoding: .utf8)
    }

    @Test("run-due backs up and verifies what is due, then is idempotent and quiet")
    func runDueIdempotent() throws {
        let h = try CLIHarness(config: Self.yearly)
        defer { h.remove() }
        try makeSources(h)
        try h.ok("init")
        let first = try h.ok("run-due", "--metrics-file", "\(h.root)/metrics.prom")
        #expect(first.stdout.contains("app: full success") && first.stdout.contains("web: full success"), "\(first.stdout)")
        #expect(first.stdout.contains("app: verify success") && first.stdout.contains("web: verify success"), "\(first.stdout)")
        let second = try h.ok("run-due")
        #expect(second.stdout.isEmpty && second.stderr.isEmpty, "second run: \(second.output)")
        #expect(try h.backupIDs().count == 2)
        let metrics = try String(contentsOfFile: "\(h.root)/metrics.prom", encoding: .utf8)
        #expect(metrics.contains(#"lifeboat_last_success_timestamp_seconds{service="app",kind="full"}"#))
        #expect(metrics.contains(#"lifeboat_rpo_headroom_seconds{service="web"}"#))
        let schedule = try h.ok("schedule", "--json")
        #expect(schedule.stdout.split(separator: "\n").count == 2)
        #expect(schedule.stdout.contains(#""due":[]"#))
    }

    @Test("run-due skips a service whose lock is held and exits 0; a failing service makes it exit 3")
    func runDueLockedAndFailing() throws {
        let h = try CLIHarness(config: Self.yearly)
        defer { h.remove() }
        try makeSources(h)
        try h.ok("init")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["\(h.root)/repo/locks/app.lock", "sleep", "4"]
        try holder.run()
        defer { holder.terminate() }
        Thread.sleep(forTimeInterval: 0.5)
        let locked = try h.ok("run-due")
        #expect(locked.stdout.contains("app: full skipped") && locked.stdout.contains("web: full success"), "\(locked.stdout)")
        holder.waitUntilExit()

        // app is still due (it was skipped); with its source gone the job fails and run-due exits 3.
        try FileManager.default.removeItem(atPath: h.source)
        let failing = try h.lifeboat("run-due")
        #expect(failing.status == 3, "\(failing.output)")
        #expect(failing.stdout.contains("app: full failed") && !failing.stdout.contains("web:"), "\(failing.stdout)")
    }

    @Test("the daemon stops on SIGTERM after its running backup commits, and serves metrics on loopback")
    func daemonStopsCleanly() throws {
        let h = try CLIHarness(config: Self.yearly)
        defer { h.remove() }
        try makeSources(h)
        try h.shell("head -c 150000000 /dev/urandom > '\(h.source)/big.bin'")
        try h.ok("init")
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: CLIHarness.binary)
        daemon.arguments = ["daemon", "--config", "\(h.root)/lifeboat.yaml", "--metrics-listen", "127.0.0.1:0"]
        daemon.currentDirectoryURL = URL(fileURLWithPath: h.root)
        let err = Pipe()
        daemon.standardError = err
        daemon.standardOutput = FileHandle.nullDevice
        try daemon.run()
        // Wait until the first backup is writing, then ask the daemon to stop.
        let deadline = Date().addingTimeInterval(20)
        var writing = false
        while Date() < deadline && !writing {
            let folders = (try? FileManager.default.contentsOfDirectory(atPath: "\(h.root)/repo/services/app")) ?? []
            writing = folders.contains { folder in
                ((try? FileManager.default.contentsOfDirectory(atPath: "\(h.root)/repo/services/app/\(folder)")) ?? []).contains { $0.hasPrefix(".tmp-data") }
            }
            if !writing { Thread.sleep(forTimeInterval: 0.005) }
        }
        #expect(writing, "the daemon never started a backup")
        // The first stderr line names the metrics port; the endpoint answers while the backup runs.
        var announced = Data()
        while !announced.contains(UInt8(ascii: "\n")) {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            announced.append(chunk)
        }
        let line = String(decoding: announced, as: UTF8.self)
        let port = line.split(separator: ":").last.map { $0.prefix { $0.isNumber } } ?? ""
        #expect(!port.isEmpty, "no metrics port in: \(line)")
        let scrape = try h.shell("curl -s --max-time 5 http://127.0.0.1:\(port)/metrics")
        #expect(scrape.stdout.contains("# TYPE lifeboat_rpo_headroom_seconds gauge"), "\(scrape.stdout)")
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0)
        #expect(line.contains("serving metrics on 127.0.0.1:"), "\(line)")
        // The backup that was running finished and committed; the repository verifies.
        let ids = try h.backupIDs()
        #expect(!ids.isEmpty, "the running backup was not committed")
        try h.ok("verify", "--objects")
        let leftovers = try h.shell("find repo -name '.tmp-*' | wc -l").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(leftovers == "0")
    }

    @Test("a lock left by a killed process is taken over with a warning; locks lists held and free locks")
    func staleLock() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try "x\n".write(toFile: "\(h.source)/x", atomically: false, encoding: .utf8)
        try h.ok("init")
        try "host=gone pid=999999 purpose=backup started=2026-01-01T00:00:00.000Z expires=2026-01-01T00:10:00.000Z\n"
            .write(toFile: "\(h.root)/repo/locks/app.lock", atomically: false, encoding: .utf8)
        let free = try h.ok("locks")
        #expect(free.stdout.contains("app") && free.stdout.contains("free"), "\(free.stdout)")
        let backup = try h.ok("backup", "app")
        #expect(backup.stderr.contains("taking over the lock"), "\(backup.stderr)")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["\(h.root)/repo/locks/app.lock", "sleep", "3"]
        try holder.run()
        defer { holder.terminate() }
        Thread.sleep(forTimeInterval: 0.5)
        let held = try h.ok("locks", "--json")
        #expect(held.stdout.contains(#""held":true"#), "\(held.stdout)")
    }

    @Test("--log-format json writes one JSON object per log line on stderr")
    func jsonLogs() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try "x\n".write(toFile: "\(h.source)/x", atomically: false, encoding: .utf8)
        try h.ok("init")
        let result = try h.ok("backup", "app", "--log-format", "json")
        let lines = result.stderr.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] != nil && object?["time"] != nil, "\(line)")
        }
        #expect(result.stderr.contains(#""message":"backup committed""#), "\(result.stderr)")
    }
}
