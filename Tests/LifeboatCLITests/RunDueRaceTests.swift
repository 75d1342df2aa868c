import Foundation
import Testing

/// Two `run-due` processes at once (real binaries): the second decides again under the lock.
@Suite("run-due races")
struct RunDueRaceTests {
    /// One service in a tier whose slots fire once a year: due once, then not again during a test.
    private static let config = """
    repository: ./repo
    catalog: ./catalog.sqlite
    tiers:
      quiet: { rto: 1h, rpo: 1h, full: "0 0 1 1 *", incremental: "0 0 1 1 *", verify: null }
    services:
      app:
        tier: quiet
        source: { type: files, paths: [./srv/app] }
    """

    @Test("two run-due at once for a due service make exactly one backup: the one that gets the lock second finds the slot done and skips")
    func twoRunDueOneBackup() throws {
        let h = try CLIHarness(config: Self.config)
        defer { h.remove() }
        try "a\n".write(toFile: "\(h.source)/a.txt", atomically: false, encoding: .utf8)
        try h.ok("init")
        // The first decides and then waits 6 s before asking for the lock; the second decides at the
        // same moment, holds the lock 1 s before committing, and is done long before the first asks.
        let results = h.concurrently([
            .init(args: ["run-due"], environment: ["LIFEBOAT_FAULT": "run-due.before-lock", "LIFEBOAT_FAULT_MODE": "pause:6"]),
            .init(args: ["run-due"], environment: ["LIFEBOAT_FAULT": "backup.before-commit", "LIFEBOAT_FAULT_MODE": "pause:1"]),
        ])
        let (late, early) = (results[0], results[1])
        #expect(early.status == 0 && early.stdout.contains("app: full success"), "\(early.output)")
        #expect(late.status == 0, "\(late.output)")
        #expect(late.stdout.contains("app: full skipped") && late.stdout.contains("not due any more"), "\(late.output)")
        #expect(try h.backupIDs().count == 1, "both run-due made a backup: \(early.output)\n---\n\(late.output)")
        let again = try h.ok("run-due")
        #expect(again.stdout.isEmpty, "\(again.output)")
    }
}
