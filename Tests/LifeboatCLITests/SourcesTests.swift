import Foundation
import Testing

/// `sqlite` and `command` sources through the binary, with a real database written by another process.
@Suite("SQLite and command sources")
struct SourcesTests {
    private static let python = """
    import sqlite3, sys, time
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE IF NOT EXISTS orders(id INTEGER PRIMARY KEY, amount REAL, note TEXT)")
    stop = time.time() + float(sys.argv[2])
    i = 0
    while time.time() < stop:
        db.execute("BEGIN")
        for _ in range(200):
            db.execute("INSERT INTO orders(amount, note) VALUES (?, ?)", (i * 1.5, "x" * 200))
            i += 1
        db.execute("UPDATE orders SET amount = amount + 1 WHERE id % 7 = 0")
        db.execute("COMMIT")
    print(i)
    """

    @Test("a SQLite database written by another process backs up consistently and restores passing integrity_check")
    func sqliteUnderWrites() throws {
        let h = try CLIHarness(config: CLIHarness.config(services: """
          db:
            source: { type: sqlite, path: ./srv/app/orders.db }
        """))
        defer { h.remove() }
        try Self.python.write(toFile: "\(h.root)/writer.py", atomically: false, encoding: .utf8)
        try h.shell("python3 writer.py srv/app/orders.db 1")  // some data first
        try h.ok("init")
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        writer.arguments = ["python3", "\(h.root)/writer.py", "\(h.source)/orders.db", "4"]
        writer.standardOutput = FileHandle.nullDevice
        try writer.run()
        var ids: [String] = []
        for _ in 0..<3 {
            Thread.sleep(forTimeInterval: 0.6)
            let result = try h.ok("backup", "db", "--json")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            ids.append(object?["id"] as? String ?? "")
        }
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
        for id in ids {
            let target = "\(h.root)/restore-\(id)"
            try h.ok("restore", "db", "--backup", id, "--target", target)
            let check = try h.shell("""
            python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('pragma integrity_check').fetchone()[0], c.execute('select count(*) from orders').fetchone()[0])" '\(h.restored(in: target))/orders.db'
            """)
            #expect(check.stdout.hasPrefix("ok "), "integrity_check of \(id): \(check.stdout)")
        }
        try h.ok("verify", "db", "--all-backups")
    }

    @Test("a command's output is backed up and restored at its output path; a failing command commits nothing")
    func commandSource() throws {
        let h = try CLIHarness(config: CLIHarness.config(services: """
          dump:
            source: { type: command, run: [sh, -c, "printf 'dump line %s\\\\n' 1 2 3; echo progress >&2"], output: ./srv/app/dump.sql }
          broken:
            source: { type: command, run: [sh, -c, "echo partial; echo 'connection refused' >&2; exit 4"], output: ./srv/app/broken.sql }
          slow:
            source: { type: command, run: [sleep, "30"], output: ./srv/app/slow.out, timeout: 1s }
        """))
        defer { h.remove() }
        let scratch = "\(h.root)/tmp"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let env = ["TMPDIR": scratch]
        try h.ok("init")
        #expect(try h.lifeboat("backup", "dump", environment: env).status == 0)
        try h.ok("restore", "dump", "--target", "\(h.root)/out")
        let restored = try String(contentsOfFile: "\(h.restored(in: "\(h.root)/out"))/dump.sql", encoding: .utf8)
        #expect(restored == "dump line 1\ndump line 2\ndump line 3\n")

        let broken = try h.lifeboat("backup", "broken", environment: env)
        #expect(broken.status == 1, "\(broken.output)")
        #expect(broken.stderr.contains("exited with status 4") && broken.stderr.contains("connection refused"), "\(broken.stderr)")
        let slow = try h.lifeboat("backup", "slow", environment: env)
        #expect(slow.status == 1 && slow.stderr.contains("timeout"), "\(slow.output)")
        let listed = try h.ok("backups", "--json").stdout
        #expect(!listed.contains("\"broken\"") && !listed.contains("\"slow\""), "failed commands left backups: \(listed)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty, "scratch folders left behind")
    }

    @Test("config check prints what it understood and warns about an RPO the cadence cannot meet")
    func configCheck() throws {
        let h = try CLIHarness(config: CLIHarness.config(services: """
          app:
            tier: tier-3-standard
            rpo: 10m
            timezone: Europe/Berlin
            source: { type: files, paths: [./srv/app] }
        """))
        defer { h.remove() }
        let result = try h.lifeboat("config", "check")
        #expect(result.status == 3, "\(result.output)")
        #expect(result.stdout.contains("RPO 10m") && result.stdout.contains("Europe/Berlin"), "\(result.stdout)")
        #expect(result.stderr.contains("service app") && result.stderr.contains("cannot meet its RPO of 10m"), "\(result.stderr)")
        let json = try h.lifeboat("config", "check", "--json")
        #expect(json.stdout.contains(#""warnings":["service app"#), "\(json.stdout)")
    }
}
