import Foundation
import Testing

/// Timeouts end everything a child started: each child Lifeboat runs is a process group of its own,
/// and a timeout sends SIGTERM (then SIGKILL) to the whole group, not just to the direct child.
@Suite("Timeouts reach grandchildren", .serialized)
struct ProcessGroupTests {
    /// A `sleep` whose argument no other process on this host uses, so `pgrep` finds only ours.
    private static func marker() -> String { "25.\(Int.random(in: 100_000...999_999))" }

    private static func survivors(_ h: CLIHarness, _ marker: String) throws -> String {
        try h.run("/bin/sh", ["-c", "pgrep -af '[s]leep \(marker)' || true"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a command source `sh -c \"sleep 25; echo x\"` with timeout 2s fails in seconds with a timeout error, and no sleep survives")
    func commandSourceTimeout() throws {
        let marker = Self.marker()
        let h = try CLIHarness(config: CLIHarness.config(services: """
          slow:
            source: { type: command, run: [sh, -c, "sleep \(marker); echo x"], output: ./srv/app/slow.out, timeout: 2s }
        """))
        defer { h.remove() }
        try h.ok("init")
        let clock = ContinuousClock.now
        let result = try h.lifeboat("backup", "slow")
        let seconds = (ContinuousClock.now - clock) / .seconds(1)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.stderr.contains("ran longer than its timeout of 2s"), "\(result.stderr)")
        #expect(seconds < 12, "took \(seconds)s: the timeout did not reach the grandchild")
        #expect(try Self.survivors(h, marker).isEmpty, "sleep survived the timeout")
        #expect(!(try h.ok("backups", "--json").stdout.contains("\"slow\"")), "a timed-out command committed a backup")
    }

    @Test("an application check whose shell starts a long sleep is stopped at its timeout with the sleep")
    func checkTimeout() throws {
        let marker = Self.marker()
        let h = try CLIHarness(config: CLIHarness.config(services: """
          app:
            source: { type: files, paths: [./srv/app] }
            checks:
              - { run: "sleep \(marker); true", timeout: 2s, name: slow check }
        """))
        defer { h.remove() }
        try "x\n".write(toFile: "\(h.source)/a.txt", atomically: false, encoding: .utf8)
        try h.ok("init")
        try h.ok("backup", "app")
        let clock = ContinuousClock.now
        let result = try h.lifeboat("verify", "app")
        let seconds = (ContinuousClock.now - clock) / .seconds(1)
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains("slow check"), "\(result.output)")
        #expect(seconds < 15, "took \(seconds)s")
        #expect(try Self.survivors(h, marker).isEmpty, "sleep survived the check's timeout")
    }

    @Test("a plan step whose shell leaves a child that ignores SIGTERM is ended with SIGKILL after the grace period")
    func planStepIgnoringTerm() throws {
        let marker = Self.marker()
        let h = try CLIHarness()
        defer { h.remove() }
        try """
        name: stubborn
        rto: 30m
        services: [app]
        steps:
          - id: hang
            run: "sh -c 'trap \\"\\" TERM; sleep \(marker)' & wait"
            timeout: 1s
        """.write(toFile: "\(h.root)/plan.yaml", atomically: false, encoding: .utf8)
        let clock = ContinuousClock.now
        try h.ok("init")
        let result = try h.lifeboat("plan", "run", "\(h.root)/plan.yaml", "--yes")
        let seconds = (ContinuousClock.now - clock) / .seconds(1)
        #expect(result.status == 1 && result.stdout.contains("stopped after its timeout of 1s"), "\(result.output)")
        #expect(seconds < 15, "took \(seconds)s")
        // The trap keeps the grandchild through SIGTERM; SIGKILL follows after the grace period.
        let deadline = ContinuousClock.now + .seconds(10)
        while try !Self.survivors(h, marker).isEmpty, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.2) }
        #expect(try Self.survivors(h, marker).isEmpty, "a child that ignores SIGTERM survived")
    }
}
