import Foundation
import Glibc
import Testing

/// Prune against readers (restore, verify) running at the same time, through the real binary: a
/// reader sees its backup whole or is told it was removed by prune, never "object … is missing".
@Suite("Prune and readers")
struct PruneRaceTests {
    /// Service `app` in a tier that keeps the last 2 backups, with four full backups taken; returns
    /// the harness and the ids, oldest first (the first two are what prune removes).
    private func fourBackups(name: String = #function) throws -> (CLIHarness, [String]) {
        let h = try CLIHarness(name: name, config: """
            repository: ./repo
            catalog: ./catalog.sqlite
            tiers:
              tier-1-critical: { keep: { last: 2 } }
            services:
              app:
                tier: tier-1-critical
                source: { type: files, paths: [./srv/app] }
            """)
        try h.makeTestData(sizeMB: 1)
        try h.ok("init")
        for k in 0..<4 {
            if k > 0 { try h.mutate(k) }
            try h.ok("backup", "app", "--full")
        }
        let ids = try h.backupIDs()
        #expect(ids.count == 4)
        return (h, ids)
    }

    private static let pausedPrune = ["LIFEBOAT_FAULT": "prune.before-delete", "LIFEBOAT_FAULT_MODE": "pause:3"]

    private func pruneJSON(_ result: CLIHarness.Result) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require(object, "prune --json printed: \(result.output)")
    }

    private func removedIDs(_ report: [String: Any]) -> [String] {
        ((report["removed"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    @Test("a restore that starts while prune is removing its backup waits, then fails with \"removed by prune at T\" and writes nothing")
    func restoreDuringPrune() throws {
        let (h, ids) = try fourBackups()
        defer { h.remove() }
        let target = "\(h.root)/restored"
        let results = h.concurrently([
            .init(args: ["prune", "app", "--json"], environment: Self.pausedPrune),
            .init(args: ["restore", "app", "--backup", ids[0], "--target", target]) { h.holdsLease("repo/locks/app/pruning") },
        ])
        let (prune, restore) = (results[0], results[1])
        #expect(prune.status == 0, "\(prune.output)")
        #expect(removedIDs(try pruneJSON(prune)) == Array(ids[0...1]), "\(prune.output)")
        #expect(restore.status == 1, "\(restore.output)")
        #expect(restore.stderr.contains("backup \(ids[0]) of service app was removed by prune at "), "\(restore.output)")
        #expect(!restore.output.contains("is missing") && !restore.output.contains("damaged"), "\(restore.output)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []
        #expect(left.isEmpty, "the failed restore left \(left) in the target")
    }

    @Test("a prune that starts while a restore of an old backup reads removes no backup, says why, and the restore completes")
    func pruneDuringRestore() throws {
        let (h, ids) = try fourBackups()
        defer { h.remove() }
        try h.shell("rm -rf srv/app && mkdir -p srv/app")
        let target = "\(h.root)/restored"
        let results = h.concurrently([
            .init(args: ["restore", "app", "--backup", ids[0], "--target", target],
                  environment: ["LIFEBOAT_FAULT": "reader.after-lease", "LIFEBOAT_FAULT_MODE": "pause:3"]),
            .init(args: ["prune", "app", "--json"]) { h.holdsLease("repo/locks/app/readers") },
        ])
        let (restore, prune) = (results[0], results[1])
        #expect(restore.status == 0, "\(restore.output)")
        #expect(prune.status == 0, "\(prune.output)")
        let report = try pruneJSON(prune)
        #expect(removedIDs(report).isEmpty, "prune removed backups a restore was reading: \(prune.output)")
        #expect(prune.stderr.contains("were not removed") && prune.stderr.contains("purpose=restore"), "\(prune.output)")
        #expect(try h.backupIDs() == ids)
        // Once the reader is gone, the next prune removes them.
        #expect(removedIDs(try pruneJSON(try h.ok("prune", "app", "--json"))) == Array(ids[0...1]))
    }

    @Test("verify --all-backups during a prune reports the backups it removed as removed by prune, verifies the others and exits 0")
    func verifyAllDuringPrune() throws {
        let (h, ids) = try fourBackups()
        defer { h.remove() }
        let results = h.concurrently([
            .init(args: ["prune", "app"], environment: Self.pausedPrune),
            .init(args: ["verify", "app", "--all-backups"]) { h.holdsLease("repo/locks/app/pruning") },
        ])
        let (prune, verify) = (results[0], results[1])
        #expect(prune.status == 0, "\(prune.output)")
        #expect(verify.status == 0, "\(verify.output)")
        for id in ids[0...1] {
            #expect(verify.stdout.contains("REMOVED app \(id): backup \(id) of service app was removed by prune at "), "\(verify.output)")
        }
        for id in ids[2...3] { #expect(verify.stdout.contains("OK app \(id)"), "\(verify.output)") }
    }

    @Test("after a prune, restoring or verifying a backup it removed says \"removed by prune at T\" (exit 1), not that it is missing or damaged")
    func messageAfterPrune() throws {
        let (h, ids) = try fourBackups()
        defer { h.remove() }
        try h.ok("prune", "app")
        let restore = try h.lifeboat("restore", "app", "--backup", ids[1], "--target", "\(h.root)/restored")
        #expect(restore.status == 1, "\(restore.output)")
        #expect(restore.stderr.contains("backup \(ids[1]) of service app was removed by prune at 20"), "\(restore.output)")
        #expect(restore.stderr.contains("`lifeboat backups app` lists the backups that remain"), "\(restore.output)")
        let verify = try h.lifeboat("verify", "app", "--backup", ids[0])
        #expect(verify.status == 1 && verify.stderr.contains("was removed by prune at"), "\(verify.output)")
        let tombstone = "\(h.root)/repo/records/pruned/app/\(ids[0]).json"
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tombstone))) as? [String: Any]
        #expect(record?["format"] as? String == "lifeboat-tombstone" && record?["backup"] as? String == ids[0], "\(record ?? [:])")
        try h.ok("verify", "app", "--objects")
        try h.ok("doctor")
    }

    @Test("the lease of a reader killed with SIGKILL, or an expired one from another host, does not stop prune")
    func staleReaderLeases() throws {
        let (h, ids) = try fourBackups()
        defer { h.remove() }
        let readers = "\(h.root)/repo/locks/app/readers"
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: CLIHarness.binary)
        reader.arguments = ["restore", "app", "--backup", ids[0], "--target", "\(h.root)/restored", "--config", "\(h.root)/lifeboat.yaml"]
        reader.environment = ProcessInfo.processInfo.environment.merging(["LIFEBOAT_FAULT": "reader.after-lease", "LIFEBOAT_FAULT_MODE": "pause:60"]) { $1 }
        reader.standardOutput = FileHandle.nullDevice
        reader.standardError = FileHandle.nullDevice
        try reader.run()
        let deadline = Date().addingTimeInterval(20)
        while !h.holdsLease("repo/locks/app/readers"), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        kill(reader.processIdentifier, SIGKILL)
        reader.waitUntilExit()
        try "host=elsewhere pid=4242 boot=x pidns=y purpose=restore started=2026-01-01T00:00:00.000Z expires=2026-01-01T00:10:00.000Z\n"
            .write(toFile: "\(readers)/20260101-1.lease", atomically: false, encoding: .utf8)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: readers)) ?? []).count == 2)
        let report = try pruneJSON(try h.ok("prune", "app", "--json"))
        #expect(removedIDs(report) == Array(ids[0...1]), "\(report)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: readers)) ?? []).isEmpty, "stale leases stayed")
    }
}
