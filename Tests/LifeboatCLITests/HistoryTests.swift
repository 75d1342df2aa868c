import Foundation
import Testing

/// Scheduling and retention with a long history, with a failing verification, and with verification
/// records made on another host or kept only in the repository.
@Suite("History: scheduling and retention")
struct HistoryTests {
    /// Service `app` in a tier whose backup slots fire once a year; verification as given.
    private static func config(verify: String, keep: String = "{ last: 1 }", checks: String = "") -> String {
        """
        repository: ./repo
        catalog: ./catalog.sqlite
        tiers:
          quiet: { rto: 1h, rpo: 1h, full: "0 0 1 1 *", incremental: "0 0 1 1 *", verify: "\(verify)", keep: \(keep) }
        services:
          app:
            tier: quiet
            source: { type: files, paths: [./srv/app] }
        \(checks)
        """
    }

    /// The one JSON object a command printed.
    private func object(_ result: CLIHarness.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "printed: \(result.output)")
    }

    private func ids(_ list: Any?) -> [String] {
        ((list as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    @Test("a passed verification is remembered after hundreds of later job runs: schedule shows it and verify is not due")
    func verificationRememberedAfterManyJobs() throws {
        let h = try CLIHarness(config: Self.config(verify: "0 0 1 1 *"))
        defer { h.remove() }
        try "a\n".write(toFile: "\(h.source)/a.txt", atomically: false, encoding: .utf8)
        try h.ok("init")
        try h.ok("backup", "app")
        try h.ok("verify", "app")
        // A year of 5-minute backups leaves far more than 200 newer job runs (written as `backup` does).
        try h.shell("""
            sqlite3 catalog.sqlite "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
              INSERT INTO job_runs (kind, service, started, finished, outcome)
              SELECT 'backup', 'app', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || i || ' seconds'),
                     strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || i || ' seconds'), 'complete' FROM n"
            """)
        let status = try object(try h.ok("schedule", "--json"))
        #expect(status["lastVerified"] as? String != nil, "\(status)")
        #expect((status["due"] as? [String]) == [], "\(status)")
    }

    @Test("a failed verification backs off: run-due does not restore again until an hour later, then two, and schedule says so")
    func failedVerificationBacksOff() throws {
        let h = try CLIHarness(config: Self.config(verify: "* * * * *", checks: "    checks: [\"false\"]"))
        defer { h.remove() }
        try "a\n".write(toFile: "\(h.source)/a.txt", atomically: false, encoding: .utf8)
        try h.ok("init")
        let first = try h.lifeboat("run-due")
        #expect(first.status == 3 && first.stdout.contains("app: verify failed"), "\(first.output)")
        let second = try h.lifeboat("run-due")
        #expect(second.status == 0 && second.stdout.isEmpty, "run-due restored again at once: \(second.output)")

        let status = try object(try h.ok("schedule", "--json"))
        #expect((status["due"] as? [String]) == [], "\(status)")
        let backoff = try #require(status["verifyBackoff"] as? [String: Any], "\(status)")
        #expect(backoff["failures"] as? Int == 1)
        let failedAt = try #require((backoff["lastFailed"] as? String).flatMap(parse))
        let retryAt = try #require((backoff["retryAt"] as? String).flatMap(parse))
        #expect(abs(retryAt.timeIntervalSince(failedAt) - 3_600) < 1, "\(backoff)")
        #expect(try h.ok("schedule").stdout.contains("app: 1 verification(s) in a row did not pass"))

        // An hour on (the failure recorded an hour earlier), it is tried again; the second failure waits two hours.
        try h.shell("""
            sqlite3 catalog.sqlite "UPDATE job_runs SET started = strftime('%Y-%m-%dT%H:%M:%fZ', started, '-3700 seconds') WHERE kind = 'verify'"
            """)
        let third = try h.lifeboat("run-due")
        #expect(third.status == 3 && third.stdout.contains("app: verify failed"), "\(third.output)")
        let fourth = try h.lifeboat("run-due")
        #expect(fourth.status == 0 && fourth.stdout.isEmpty, "\(fourth.output)")
        let again = try #require(try object(try h.ok("schedule", "--json"))["verifyBackoff"] as? [String: Any])
        #expect(again["failures"] as? Int == 2, "\(again)")
        let lastFailed = try #require((again["lastFailed"] as? String).flatMap(parse))
        let retry = try #require((again["retryAt"] as? String).flatMap(parse))
        #expect(abs(retry.timeIntervalSince(lastFailed) - 7_200) < 1, "\(again)")
    }

    @Test("run-due and prune refuse a future --at (they act now, with the real clock); schedule and a dry run accept it")
    func futureAtRefused() throws {
        let h = try CLIHarness(config: Self.config(verify: "0 0 1 1 *"))
        defer { h.remove() }
        try "a\n".write(toFile: "\(h.source)/a.txt", atomically: false, encoding: .utf8)
        try h.ok("init")
        let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        let runDue = try h.lifeboat("run-due", "--at", later)
        #expect(runDue.status == 2 && runDue.stderr.contains("is in the future") && runDue.stderr.contains("lifeboat schedule --at"), "\(runDue.output)")
        #expect(try h.backupIDs().isEmpty, "run-due --at in the future backed up")
        let prune = try h.lifeboat("prune", "--at", later)
        #expect(prune.status == 2 && prune.stderr.contains("prune --dry-run --at"), "\(prune.output)")
        try h.ok("schedule", "--at", later)
        try h.ok("prune", "--dry-run", "--at", later)
    }

    @Test("prune protects the newest verified-good backup from the repository's records: on a second host, after catalog rebuild; a later failure lifts it, a not-run does not")
    func verifiedGoodFromRecords() throws {
        let h = try CLIHarness(config: Self.config(verify: "0 0 1 1 *"))
        defer { h.remove() }
        try "a\n".write(toFile: "\(h.source)/a.txt", atomically: false, encoding: .utf8)
        try h.ok("init")
        try h.ok("backup", "app", "--full")
        try h.ok("verify", "app")
        try "b\n".write(toFile: "\(h.source)/b.txt", atomically: false, encoding: .utf8)
        try h.ok("backup", "app", "--full")
        let (first, second) = try { let all = try h.backupIDs(); return (all[0], all[1]) }()

        // A second host: its own catalog, no job history; the protection comes from records/verifications.
        let other = try String(contentsOfFile: "\(h.root)/lifeboat.yaml", encoding: .utf8)
            .replacingOccurrences(of: "catalog: ./catalog.sqlite", with: "catalog: ./other.sqlite")
        try other.write(toFile: "\(h.root)/other.yaml", atomically: true, encoding: .utf8)
        func dryRun(_ config: String) throws -> [String: Any] {
            let result = try h.run(CLIHarness.binary, ["prune", "--dry-run", "--json", "--config", "\(h.root)/\(config)"])
            #expect(result.status == 0, "\(result.output)")
            return try object(result)
        }
        let onOther = try dryRun("other.yaml")
        #expect(ids(onOther["kept"]) == [first, second] && ids(onOther["removed"]) == [], "\(onOther)")
        #expect(((onOther["kept"] as? [[String: Any]])?.first?["reasons"] as? [String])?.contains("newest verified-good") == true)

        // A catalog rebuilt from the repository alone says the same.
        try FileManager.default.removeItem(atPath: "\(h.root)/catalog.sqlite")
        try h.ok("catalog", "rebuild")
        #expect(ids(try dryRun("lifeboat.yaml")["kept"]) == [first, second])

        // A later verification that could not run (scratch disk full) changes nothing; a failed one does.
        let records = "\(h.root)/repo/records/verifications"
        let passed = try #require(try FileManager.default.contentsOfDirectory(atPath: records).first)
        func add(_ outcome: String, id: String) throws {
            var record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(records)/\(passed)"))) as? [String: Any])
            record["id"] = id
            record["outcome"] = outcome
            record["started"] = "2099-01-0\(outcome == "failed" ? 2 : 1)T00:00:00.000Z"
            try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: "\(records)/\(id).json"))
        }
        try add("not-run", id: "20990101T000000Z-app")
        #expect(ids(try dryRun("other.yaml")["kept"]) == [first, second])
        try add("failed", id: "20990102T000000Z-app")
        let lifted = try dryRun("other.yaml")
        #expect(ids(lifted["kept"]) == [second] && ids(lifted["removed"]) == [first], "\(lifted)")
    }

    @Test("the catalog follows the repository without rereading it: another host's backup is the next parent and shows in schedule and backups; one removed elsewhere is forgotten")
    func catalogFollowsRepository() throws {
        let h = try CLIHarness(config: Self.config(verify: "0 0 1 1 *", keep: "{ last: 1 }"))
        defer { h.remove() }
        try "a\n".write(toFile: "\(h.source)/a.txt", atomically: false, encoding: .utf8)
        try h.ok("init")
        try h.ok("backup", "app", "--full")
        // Another host: same repository, its own catalog.
        let other = try String(contentsOfFile: "\(h.root)/lifeboat.yaml", encoding: .utf8)
            .replacingOccurrences(of: "catalog: ./catalog.sqlite", with: "catalog: ./other.sqlite")
        try other.write(toFile: "\(h.root)/other.yaml", atomically: true, encoding: .utf8)
        func onOther(_ args: String...) throws -> CLIHarness.Result {
            let result = try h.run(CLIHarness.binary, args + ["--config", "\(h.root)/other.yaml"])
            #expect(result.status == 0, "\(result.output)")
            return result
        }
        // Once the folder has been quiet, this host records its stamp and stops listing it...
        Thread.sleep(forTimeInterval: 2.5)
        try h.ok("schedule")
        #expect(try h.shell("sqlite3 catalog.sqlite 'SELECT count(*) FROM folder_marks'").stdout == "1\n")
        // ...until another host's backup changes it.
        try "b\n".write(toFile: "\(h.source)/b.txt", atomically: false, encoding: .utf8)
        try onOther("backup", "app")
        let theirs = try #require(try h.backupIDs().last)
        #expect(try h.backupIDs().count == 2)
        #expect((try object(try h.ok("schedule", "--json"))["lastBackup"] as? [String: Any])?["id"] as? String == theirs)
        try "c\n".write(toFile: "\(h.source)/c.txt", atomically: false, encoding: .utf8)
        let mine = try object(try h.ok("backup", "app", "--json"))
        #expect(mine["parent"] as? String == theirs && mine["kind"] as? String == "incremental", "\(mine)")

        // The other host takes a full backup and prunes (keep last 1): this host forgets what went.
        let full = try object(try onOther("backup", "app", "--full", "--json"))
        try onOther("prune")
        #expect(try h.backupIDs() == [try #require(full["id"] as? String)])
        #expect((try object(try h.ok("schedule", "--json"))["lastBackup"] as? [String: Any])?["id"] as? String == full["id"] as? String)
        #expect(try object(try h.ok("backup", "app", "--json"))["parent"] as? String == full["id"] as? String)
    }

    @Test("a verification's measured RTO is its wall time up to the last check, so it covers restore, compare and checks")
    func verificationRTOIsWallTime() throws {
        let h = try CLIHarness(config: Self.config(verify: "0 0 1 1 *", checks: "    checks: [\"sleep 0.3\"]"))
        defer { h.remove() }
        try h.makeTestData(sizeMB: 1)
        try h.ok("init")
        try h.ok("backup", "app")
        try h.ok("verify", "app")
        let records = "\(h.root)/repo/records/verifications"
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: records).first)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(records)/\(name)"))) as? [String: Any])
        let rto = try #require(record["rtoMeasuredSeconds"] as? Double)
        let phases = (record["phases"] as? [[String: Any]] ?? []).reduce(0.0) { $0 + ($1["seconds"] as? Double ?? 0) }
        let wall = try #require(parse(record["finished"] as? String ?? "")).timeIntervalSince(try #require(parse(record["started"] as? String ?? "")))
        #expect(rto >= phases, "RTO \(rto) s leaves out part of restore + compare + checks (\(phases) s)")
        #expect(rto <= wall + 0.01, "RTO \(rto) s is longer than the verification (\(wall) s)")
    }

    @Test("a recovery point prepared before the backup (a dump) is stamped with when the dump began, not when it ended")
    func preparedSourceStampedAtItsStart() throws {
        let h = try CLIHarness(config: CLIHarness.config(services: """
          dump:
            tier: tier-2-important
            source: { type: command, run: [sh, -c, "sleep 1; echo data"], output: ./srv/dump.txt }
        """))
        defer { h.remove() }
        try h.ok("init")
        let before = Date()
        let record = try object(try h.ok("backup", "dump", "--json"))
        let started = try #require(parse(record["started"] as? String ?? ""), "\(record)")
        let finished = try #require(parse(record["finished"] as? String ?? ""))
        #expect(started.timeIntervalSince(before) < 0.5, "stamped \(started.timeIntervalSince(before)) s after the dump began")
        #expect(finished.timeIntervalSince(started) >= 1, "the dump's second is not part of the recovery point's age")
    }

    private func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}
