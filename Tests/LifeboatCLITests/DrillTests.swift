import Foundation
import Glibc
import Testing

/// The shipped drills (`Drills/`), each run end to end through the binary against a real service:
/// a files tree, a SQLite database, a PostgreSQL cluster.
@Suite("Shipped drills through the binary", .serialized)
struct DrillTests {
    /// A harness whose folder holds copies of the repository's `Plans/` and `Drills/` beside its config.
    private func harness(_ services: String, name: String = #function) throws -> CLIHarness {
        let h = try CLIHarness(name: name, config: CLIHarness.config(services: services))
        try h.shell("cp -R '\(CLIHarness.repositoryRoot)/Plans' '\(CLIHarness.repositoryRoot)/Drills' '\(h.root)/'")
        return h
    }

    private func json(_ text: String) throws -> [String: Any] {
        let line = text.split(separator: "\n").last.map(String.init) ?? ""
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(text)")
    }

    /// Checks what every passed drill must show, and returns the record.
    private func expectPassed(_ result: CLIHarness.Result, backup: String, rtoBelow: Double) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.output)")
        let record = try json(result.stdout)
        #expect(record["outcome"] as? String == "passed", "\(record["problems"] ?? "")")
        let rto = try #require(record["rtoAchievedSeconds"] as? Double)
        let rpo = try #require(record["rpoAchievedSeconds"] as? Double)
        #expect(rto > 0 && rto < rtoBelow, "RTO achieved \(rto)")
        #expect(rpo >= 0 && rpo < 600, "RPO achieved \(rpo): disaster minus the backup's start")
        let points = record["recoveryPoints"] as? [[String: Any]] ?? []
        #expect(points.map { $0["backup"] as? String } == [backup])
        let phases = (record["phases"] as? [[String: Any]] ?? []).map { $0["name"] as? String ?? "" }
        #expect(phases.contains("inject") && phases.contains("plan") && phases.last == "cleanup", "\(phases)")
        return record
    }

    @Test("files-lost: the folder is deleted in the target, restored by the plan; production untouched; records survive a catalog rebuild")
    func filesLost() throws {
        let h = try harness("""
          files:
            tier: tier-2-important
            source: { type: files, paths: [./srv/files] }
        """)
        defer { h.remove() }
        try h.shell("mkdir -p '\(h.root)/srv/files/docs' && echo hello > '\(h.root)/srv/files/docs/a.txt' && echo x > '\(h.root)/srv/files/b.txt'")
        try h.ok("init")
        try h.ok("backup", "files")
        let backup = try #require(try h.backupIDs().last)
        let before = try h.shell("find '\(h.root)/srv/files' -type f | sort | xargs sha256sum").stdout

        let result = try h.lifeboat("drill", "run", "files-lost", "--json")
        let record = try expectPassed(result, backup: backup, rtoBelow: 120)
        #expect(try h.shell("find '\(h.root)/srv/files' -type f | sort | xargs sha256sum").stdout == before, "production changed")
        // The scratch target is gone.
        let prepare = (record["phases"] as? [[String: Any]])?.first?["detail"] as? String ?? ""
        let scratch = try #require(prepare.split(separator: " ").last.map(String.init))
        #expect(!FileManager.default.fileExists(atPath: scratch), "\(scratch) left behind")

        let listed = try h.ok("drills")
        #expect(listed.stdout.contains("files-lost") && listed.stdout.contains("passed"), "\(listed.stdout)")
        // The drill's and the plan run's records rebuild a lost catalog.
        try FileManager.default.removeItem(atPath: "\(h.root)/catalog.sqlite")
        try h.ok("catalog", "rebuild")
        let rebuilt = try h.ok("drills", "--json")
        #expect(try json(rebuilt.stdout)["id"] as? String == record["id"] as? String)
        #expect(try h.ok("plan", "show", "\(h.root)/Plans/files-recovery.yaml", "--json").stdout.contains("\"estimateFrom\":\"history\""))
    }

    @Test("sqlite-corrupted: the database is corrupted in the target, set aside and restored; integrity passes")
    func sqliteCorrupted() throws {
        let h = try harness("""
          appdb:
            tier: tier-1-critical
            source: { type: sqlite, path: ./data/app.db }
        """)
        defer { h.remove() }
        try h.shell("""
            mkdir -p '\(h.root)/data' && python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); \
            db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)"); \
            db.executemany("INSERT INTO orders (item) VALUES (?)", [("item %d" % i * 5,) for i in range(3000)]); db.commit()' \
            '\(h.root)/data/app.db'
            """)
        try h.ok("init")
        try h.ok("backup", "appdb")
        let backup = try #require(try h.backupIDs().last)
        let before = try h.shell("sha256sum '\(h.root)/data/app.db'").stdout
        let result = try h.lifeboat("drill", "run", "\(h.root)/Drills/sqlite-corrupted.yaml", "--json")
        _ = try expectPassed(result, backup: backup, rtoBelow: 120)
        #expect(try h.shell("sha256sum '\(h.root)/data/app.db'").stdout == before, "production database changed")
    }

    @Test("sqlite-corrupted on a tier-2 service is held to tier-2's RPO (15m), not to the tier-1 of the plan")
    func drillJudgedByServiceTier() throws {
        let h = try harness("""
          appdb:
            tier: tier-2-important
            source: { type: sqlite, path: ./data/app.db }
        """)
        defer { h.remove() }
        try h.shell("""
            mkdir -p '\(h.root)/data' && python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); \
            db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)"); db.commit()' '\(h.root)/data/app.db'
            """)
        try h.ok("init")
        try h.ok("backup", "appdb")
        let record = try json(try h.lifeboat("drill", "run", "\(h.root)/Drills/sqlite-corrupted.yaml", "--json").stdout)
        #expect(record["outcome"] as? String == "passed", "\(record["problems"] ?? "")")
        #expect(record["rpoTargetSeconds"] as? Double == 900, "\(record)")
    }

    @Test("postgres-data-deleted: a server on the copy is killed and its data deleted; the plan restores, starts and checks rows")
    func postgresDataDeleted() throws {
        let bin = try #require(PostgresTests.bindir, "PostgreSQL's programs are missing: run Scripts/install-deps")
        let h = try harness("""
          pg:
            tier: tier-1-critical
            source: { type: postgres, dsn: "DSN", data_directory: ./pg/data }
        """)
        defer { h.remove() }
        chmod(h.root, 0o755)
        let cluster = try PostgresTests.Cluster(h, bin: bin, folder: "\(h.root)/pg")
        defer { cluster.stop() }
        try cluster.start()
        let yaml = try String(contentsOfFile: "\(h.root)/lifeboat.yaml", encoding: .utf8).replacingOccurrences(of: "DSN", with: cluster.dsn)
        try yaml.write(toFile: "\(h.root)/lifeboat.yaml", atomically: true, encoding: .utf8)
        _ = try cluster.query("CREATE TABLE orders (id serial PRIMARY KEY, item text); INSERT INTO orders (item) SELECT 'item ' || g FROM generate_series(1, 500) g")
        try h.ok("init")
        try h.ok("backup", "pg")
        let backup = try #require(try h.backupIDs().last)

        let result = try h.lifeboat("drill", "run", "postgres-data-deleted", "--json")
        let record = try expectPassed(result, backup: backup, rtoBelow: 180)
        let checks = record["checks"] as? [[String: Any]] ?? []
        #expect(checks.count == 1 && checks.first?["passed"] as? Bool == true)
        // Production kept running, with its rows.
        #expect(try cluster.query("SELECT count(*) FROM orders") == "500")
        // No server of the drill is left behind.
        let left = try h.shell("pgrep -f '[l]ifeboat-drill-.*postgres' || true").stdout
        #expect(left.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "drill servers left: \(left)")
    }

    @Test("a drill whose backup is missing fails clearly and still cleans up; a drill of a plan without {{target}} is refused")
    func failures() throws {
        let h = try harness("""
          files:
            tier: tier-2-important
            source: { type: files, paths: [./srv/files] }
        """)
        defer { h.remove() }
        try h.shell("mkdir -p '\(h.root)/srv/files' && echo a > '\(h.root)/srv/files/a'")
        try h.ok("init")
        let none = try h.lifeboat("drill", "run", "files-lost", "--json")
        #expect(none.status == 1)
        let record = try json(none.stdout)
        #expect(record["outcome"] as? String == "failed")
        #expect((record["problems"] as? [String])?.first?.contains("lifeboat backup files") == true, "\(record["problems"] ?? "")")

        try h.ok("backup", "files")
        try """
        name: unsafe
        rto: 1m
        services: [files]
        steps:
          - { id: restore, restore: { service: files, target: /, mode: force } }
        """.write(toFile: "\(h.root)/Plans/unsafe.yaml", atomically: false, encoding: .utf8)
        try """
        name: unsafe-drill
        plan: ../Plans/unsafe.yaml
        inject: [{ delete: "{{files.path}}" }]
        """.write(toFile: "\(h.root)/Drills/unsafe.yaml", atomically: false, encoding: .utf8)
        let unsafe = try h.lifeboat("drill", "run", "unsafe-drill", "--json")
        #expect(unsafe.status == 2)
        #expect(unsafe.stderr.contains("unsafe.yaml") && unsafe.stderr.contains("target"), "\(unsafe.output)")
        #expect(FileManager.default.fileExists(atPath: "\(h.root)/srv/files/a"))
    }

    /// A files service with one backup, and a drill of a plan whose second step sleeps (and says when
    /// it started); teardown leaves a mark.
    private func sleepyDrill(maxDuration: String, name: String = #function) throws -> CLIHarness {
        let h = try harness("""
          files:
            tier: tier-2-important
            source: { type: files, paths: [./srv/files] }
        """, name: name)
        try h.shell("mkdir -p '\(h.root)/srv/files' && echo a > '\(h.root)/srv/files/a'")
        try h.ok("init")
        try h.ok("backup", "files")
        try """
        name: sleepy
        rto: 1h
        services: [files]
        vars: { target: / }
        steps:
          - { id: restore, restore: { service: files, target: "{{target}}" } }
          - { id: sleep, run: "touch \(h.root)/sleeping; sleep 60", needs: [restore] }
        """.write(toFile: "\(h.root)/Plans/sleepy.yaml", atomically: false, encoding: .utf8)
        try """
        name: sleepy-drill
        plan: ../Plans/sleepy.yaml
        target: { from: backups, teardown: "touch \(h.root)/torn-down" }
        inject: [{ delete: "{{files.path}}" }]
        max_duration: \(maxDuration)
        """.write(toFile: "\(h.root)/Drills/sleepy.yaml", atomically: false, encoding: .utf8)
        return h
    }

    @Test("max_duration stops the plan; teardown and cleanup still run; the drill fails")
    func maxDuration() throws {
        let h = try sleepyDrill(maxDuration: "4s")
        defer { h.remove() }
        let clock = ContinuousClock.now
        let result = try h.lifeboat("drill", "run", "sleepy-drill", "--json")
        #expect(ContinuousClock.now - clock < .seconds(30))
        #expect(result.status == 1, "\(result.output)")
        let record = try json(result.stdout)
        #expect(record["outcome"] as? String == "failed")
        #expect((record["problems"] as? [String])?.first?.contains("timed out") == true, "\(record["problems"] ?? "")")
        #expect(FileManager.default.fileExists(atPath: "\(h.root)/torn-down"))
        let prepare = (record["phases"] as? [[String: Any]])?.first?["detail"] as? String ?? ""
        let scratch = try #require(prepare.split(separator: " ").last.map(String.init))
        #expect(!FileManager.default.fileExists(atPath: scratch))
    }

    @Test("Ctrl-C during a drill stops the plan, runs teardown, removes the target and records it as interrupted")
    func interrupted() throws {
        let h = try sleepyDrill(maxDuration: "5m")
        defer { h.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIHarness.binary)
        process.arguments = ["drill", "run", "sleepy-drill", "--json", "--config", "\(h.root)/lifeboat.yaml"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: "\(h.root)/sleeping") && ContinuousClock.now < deadline { usleep(50_000) }
        kill(process.processIdentifier, SIGINT)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let record = try json(String(decoding: data, as: UTF8.self))
        #expect(record["outcome"] as? String == "interrupted")
        #expect(FileManager.default.fileExists(atPath: "\(h.root)/torn-down"))
        let scratch = ((record["phases"] as? [[String: Any]])?.first?["detail"] as? String ?? "").split(separator: " ").last.map(String.init) ?? ""
        #expect(!scratch.isEmpty && !FileManager.default.fileExists(atPath: scratch))
        #expect(try h.ok("drills", "--json").stdout.contains("\"interrupted\""))
    }

    @Test("run-due runs a drill when its cadence is due, once")
    func runDue() throws {
        let h = try harness("""
          files:
            tier: tier-2-important
            source: { type: files, paths: [./srv/files] }
        """)
        defer { h.remove() }
        try h.shell("mkdir -p '\(h.root)/srv/files' && echo a > '\(h.root)/srv/files/a' && cd '\(h.root)/Drills' && ls | grep -v files-lost.yaml | xargs rm -f")
        try h.ok("init")
        let first = try h.ok("run-due")
        #expect(first.stdout.contains("files: full success"), "\(first.stdout)")
        #expect(first.stdout.contains("files-lost: drill passed"), "\(first.stdout)")
        let second = try h.ok("run-due")
        #expect(!second.stdout.contains("drill"), "\(second.stdout)")
        #expect(try h.ok("drills", "--json").stdout.split(separator: "\n").count == 1)
    }
}
