import Foundation
import Glibc
import Testing

/// The crash matrix: the binary is killed (SIGKILL, or abort) at each named fault point of a backup, a
/// prune and a catalog rebuild in turn (`LIFEBOAT_FAULT`, honoured by debug builds). After each crash:
/// no phantom backup is listed, `verify --objects` passes, every committed backup restores
/// byte-identical to the tree it was taken from, and the next run succeeds and leaves no debris.
@Suite("Crash matrix", .serialized)
struct CrashMatrixTests {
    /// A service with a small varied tree, and a tier keeping only the newest two backups (so prune has
    /// something to remove).
    private func harness(_ name: String = #function) throws -> CLIHarness {
        let h = try CLIHarness(name: name, config: """
        repository: ./repo
        catalog: ./catalog.sqlite
        tiers:
          small: { rto: 1h, rpo: 1h, full: "0 0 1 1 *", incremental: "0 0 1 1 *", keep: { last: 2 } }
        services:
          app:
            tier: small
            source: { type: files, paths: [./srv/app] }
        """)
        try h.makeTestData(sizeMB: 1)
        try h.ok("init")
        return h
    }

    /// Committed backups and the snapshot of the tree each was taken from.
    private struct Ledger {
        var trees: [String: TreeSnapshot] = [:]
    }

    private func crash(_ h: CLIHarness, _ point: String, mode: String? = nil, _ args: String...) throws -> CLIHarness.Result {
        var environment = ["LIFEBOAT_FAULT": point]
        if let mode { environment["LIFEBOAT_FAULT_MODE"] = mode }
        return try h.run(CLIHarness.binary, args + ["--config", "\(h.root)/lifeboat.yaml"], environment: environment)
    }

    /// A backup that commits; its tree is recorded.
    private func backup(_ h: CLIHarness, _ ledger: inout Ledger, full: Bool = false,
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = Set(try h.backupIDs())
        if full { try h.ok("backup", "app", "--full", sourceLocation: sourceLocation) } else { try h.ok("backup", "app", sourceLocation: sourceLocation) }
        let new = Set(try h.backupIDs()).subtracting(before)
        let id = try #require(new.first, sourceLocation: sourceLocation)
        ledger.trees[id] = try TreeSnapshot(h.source)
    }

    /// What must hold after any crash: listed backups are exactly the committed ones (a backup killed
    /// after its commit record counts as committed), objects verify, each restores identical.
    private func check(_ h: CLIHarness, _ ledger: inout Ledger, after point: String, committedTree: TreeSnapshot? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let listed = Set(try h.backupIDs())
        let known = Set(ledger.trees.keys)
        let extra = listed.subtracting(known)
        if let committedTree, extra.count == 1 { ledger.trees[extra.first!] = committedTree }
        #expect(listed == Set(ledger.trees.keys), "\(point): listed \(listed.sorted()) but committed \(ledger.trees.keys.sorted())",
                sourceLocation: sourceLocation)
        let objects = try h.lifeboat("verify", "--objects")
        #expect(objects.status == 0, "\(point): verify --objects: \(objects.output)", sourceLocation: sourceLocation)
        for id in listed.sorted() {
            let target = "\(h.root)/restore-\(id)"
            let restore = try h.lifeboat("restore", "app", "--backup", id, "--target", target)
            #expect(restore.status == 0, "\(point): restore \(id): \(restore.output)", sourceLocation: sourceLocation)
            let restored = try TreeSnapshot(h.restored(in: target))
            if let tree = ledger.trees[id] {
                #expect(restored.differences(from: tree).isEmpty, "\(point): \(id) differs: \(restored.differences(from: tree).prefix(5))",
                        sourceLocation: sourceLocation)
            }
            try FileManager.default.removeItem(atPath: target)
        }
    }

    /// Temporary objects anywhere, and backup folders without a commit record.
    private func debris(_ h: CLIHarness) -> [String] {
        let found = (try? h.shell("""
            find '\(h.root)/repo' -name '.tmp-*' -o -name '.removing-*'
            for d in '\(h.root)/repo/services/app'/*/; do [ -e "$d/backup.json" ] || echo "$d"; done
            """).stdout) ?? ""
        return found.split(separator: "\n").map(String.init)
    }

    @Test("backups killed at every fault point leave the repository consistent, and the next backup succeeds",
          arguments: ["object.before-rename@1", "object.before-rename@2", "object.after-rename@1", "object.after-rename@2",
                      "object.before-rename@3", "backup.before-commit", "backup.after-commit"])
    func backupCrash(point: String) throws {
        let h = try harness()
        defer { h.remove() }
        var ledger = Ledger()
        try backup(h, &ledger)
        try h.mutate(1)
        let crashed = try crash(h, point, "backup", "app")
        #expect(crashed.status != 0, "\(point): the backup was not killed: \(crashed.output)")
        try check(h, &ledger, after: point, committedTree: try TreeSnapshot(h.source))
        try backup(h, &ledger)
        #expect(debris(h).isEmpty, "\(point): left \(debris(h))")
        try check(h, &ledger, after: "\(point), then a backup")
    }

    @Test("abort() instead of SIGKILL mid-commit is just as safe")
    func abortMode() throws {
        let h = try harness()
        defer { h.remove() }
        var ledger = Ledger()
        try backup(h, &ledger)
        try h.mutate(1)
        let crashed = try crash(h, "object.after-rename@2", mode: "abort", "backup", "app")
        #expect(crashed.status != 0)
        try check(h, &ledger, after: "abort")
        try backup(h, &ledger)
        try check(h, &ledger, after: "abort, then a backup")
    }

    @Test("prunes killed before, during and after deleting leave every kept backup restorable; the next prune finishes",
          arguments: ["prune.before-delete", "prune.mid-delete", "prune.after-delete"])
    func pruneCrash(point: String) throws {
        let h = try harness()
        defer { h.remove() }
        var ledger = Ledger()
        // Full backups, so that keeping the newest two lets prune remove the older two.
        for change in 1...3 {
            try backup(h, &ledger, full: true)
            try h.mutate(change)
        }
        try backup(h, &ledger, full: true)
        let crashed = try crash(h, point, "prune")
        #expect(crashed.status != 0, "\(point): prune was not killed: \(crashed.output)")
        // A backup whose backup.json is gone no longer exists; its leftovers are debris for the next prune.
        for id in ledger.trees.keys where !FileManager.default.fileExists(atPath: "\(h.backupFolder(id))/backup.json") {
            ledger.trees[id] = nil
        }
        try check(h, &ledger, after: point)
        let again = try h.lifeboat("prune")
        #expect(again.status == 0, "\(point): the next prune: \(again.output)")
        for id in ledger.trees.keys where !FileManager.default.fileExists(atPath: "\(h.backupFolder(id))/backup.json") {
            ledger.trees[id] = nil
        }
        #expect(ledger.trees.count == 2, "keep: { last: 2 } left \(ledger.trees.keys.sorted())")
        #expect(debris(h).isEmpty, "\(point): left \(debris(h))")
        try check(h, &ledger, after: "\(point), then a prune")
        let left = try h.shell("ls '\(h.root)/repo/services/app' | wc -l").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(left == "\(ledger.trees.count)", "\(point): \(left) folders left for \(ledger.trees.count) backups")
    }

    @Test("a catalog rebuild killed inside its transaction leaves the old catalog; the next rebuild succeeds")
    func catalogRebuildCrash() throws {
        let h = try harness()
        defer { h.remove() }
        var ledger = Ledger()
        try backup(h, &ledger)
        let crashed = try crash(h, "catalog.rebuild-mid", "catalog", "rebuild")
        #expect(crashed.status != 0)
        let sqlite = try h.shell("python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) from backups\").fetchone()[0])' '\(h.root)/catalog.sqlite'")
        #expect(sqlite.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "the rolled-back catalog lost its backup")
        try h.ok("catalog", "rebuild")
        try check(h, &ledger, after: "catalog.rebuild-mid")
    }
}
