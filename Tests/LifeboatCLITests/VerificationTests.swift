import Foundation
import Glibc
import Testing

/// Restore verification with application checks, records and isolation, through the binary.
@Suite("Verifications with application checks")
struct VerificationTests {
    @Test("checks run against the restored copy; a failing check fails the verification and is listed with its output")
    func checks() throws {
        let h = try CLIHarness(config: CLIHarness.config(services: """
          app:
            tier: tier-2-important
            source: { type: files, paths: [./srv/app] }
            checks:
              - "test -d \\"$LIFEBOAT_TARGET\\""
              - { run: "grep -q ready \\"$LIFEBOAT_TARGET$APP/index.html\\"", name: index page }
          db:
            tier: tier-1-critical
            source: { type: sqlite, path: ./srv/db/orders.db }
            checks:
              - { sql: "SELECT count(*) FROM orders", expect: 3, name: order count }
              - { sql: "SELECT count(*) FROM orders WHERE amount < 0", expect: 0 }
        """))
        defer { h.remove() }
        // Checks see the restored tree through $LIFEBOAT_TARGET; the app's own path below it is fixed.
        let yaml = try String(contentsOfFile: "\(h.root)/lifeboat.yaml", encoding: .utf8).replacingOccurrences(of: "$APP", with: h.source)
        try yaml.write(toFile: "\(h.root)/lifeboat.yaml", atomically: true, encoding: .utf8)
        try "ready\n".write(toFile: "\(h.source)/index.html", atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "\(h.root)/srv/db", withIntermediateDirectories: true)
        try h.shell("""
        python3 -c "import sqlite3; c=sqlite3.connect('srv/db/orders.db'); c.execute('create table orders(id integer primary key, amount real)'); c.executemany('insert into orders(amount) values (?)', [(1,),(2,),(3,)]); c.commit()"
        """)
        try h.ok("init")
        try h.ok("backup", "--all")
        let passed = try h.ok("verify")
        #expect(passed.stdout.contains("OK app") && passed.stdout.contains("OK db"), "\(passed.stdout)")

        // Break the app: the index no longer says "ready".
        try "maintenance\n".write(toFile: "\(h.source)/index.html", atomically: false, encoding: .utf8)
        try h.ok("backup", "app")
        let failed = try h.lifeboat("verify", "app")
        #expect(failed.status == 1 && failed.stdout.contains("check index page failed"), "\(failed.output)")

        let history = try h.ok("verifications", "--json")
        let records = try history.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(records.count == 3)
        let newest = try #require(records.first)
        #expect(newest["outcome"] as? String == "failed")
        #expect((newest["rtoTargetSeconds"] as? NSNumber)?.intValue == 14_400)
        #expect((newest["isolation"] as? String)?.hasPrefix("namespaces") == (geteuid() == 0), "\(newest["isolation"] ?? "")")
        let checks = newest["checks"] as? [[String: Any]] ?? []
        #expect(checks.contains { $0["name"] as? String == "index page" && $0["passed"] as? Bool == false })
        let db = try #require(records.first { $0["service"] as? String == "db" })
        let dbChecks = (db["checks"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(dbChecks.first == "integrity_check" && dbChecks.contains("order count"), "\(dbChecks)")

        // The records live in the repository: a lost catalog gets them back.
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(h.root)/repo/records/verifications").count == 3)
        try FileManager.default.removeItem(atPath: "\(h.root)/catalog.sqlite")
        try h.ok("catalog", "rebuild")
        #expect(try h.ok("verifications", "--json").stdout.split(separator: "\n").count == 3)
        let table = try h.ok("verifications", "app")
        #expect(table.stdout.contains("check index page output:") && table.stdout.contains("[exit status 1]"), "\(table.stdout)")
    }

    /// A backed-up service `app` whose one check sleeps 30 s, with its own scratch folder.
    private func sleepingCheck(timeout: String, name: String, test: String = #function) throws -> (CLIHarness, String) {
        let h = try CLIHarness(name: test, config: CLIHarness.config(services: """
          app:
            source: { type: files, paths: [./srv/app] }
            checks:
              - { run: "sleep 30", timeout: \(timeout), name: \(name) }
        """))
        try "x\n".write(toFile: "\(h.source)/x", atomically: false, encoding: .utf8)
        let scratch = "\(h.root)/scratch"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        try h.ok("init")
        try h.ok("backup", "app")
        return (h, scratch)
    }

    @Test("a hanging check is stopped at its timeout, and no scratch folder is left behind")
    func hangingCheck() throws {
        let (h, scratch) = try sleepingCheck(timeout: "1s", name: "hangs")
        defer { h.remove() }
        let started = Date()
        let result = try h.lifeboat("verify", "app", "--scratch", scratch)
        #expect(result.status == 1 && result.stdout.contains("check hangs failed"), "\(result.output)")
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
    }

    @Test("SIGINT during a verification removes the scratch folder and exits 130")
    func interrupted() throws {
        let (h, scratch) = try sleepingCheck(timeout: "1m", name: "slow")
        defer { h.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIHarness.binary)
        process.arguments = ["verify", "app", "--scratch", scratch, "--config", "\(h.root)/lifeboat.yaml"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, (try? FileManager.default.contentsOfDirectory(atPath: scratch))?.isEmpty ?? true {
            Thread.sleep(forTimeInterval: 0.02)
        }
        Thread.sleep(forTimeInterval: 0.5)  // in the check now
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: scratch)).isEmpty, "the verification never started")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty, "scratch folder left after SIGINT")
    }
}
