import Foundation
import LifeboatKit
import Testing

/// A harness whose tier-1 tier keeps `keep` (e.g. `{ last: 2 }`), with service `app` in that tier.
private func harness(keep: String, name: String = #function) throws -> CLIHarness {
    try CLIHarness(name: name, config: """
        repository: ./repo
        catalog: ./catalog.sqlite
        tiers:
          tier-1-critical: { keep: \(keep) }
        services:
          app:
            tier: tier-1-critical
            source: { type: files, paths: [./srv/app] }
        """)
}

/// Takes a backup (`--full` when asked) and returns its id and the source tree it saw.
private func backup(_ h: CLIHarness, full: Bool) throws -> (id: String, tree: TreeSnapshot) {
    let tree = try TreeSnapshot(h.source)
    let result = full ? try h.ok("backup", "app", "--full", "--json") : try h.ok("backup", "app", "--json")
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let id = try #require(object?["id"] as? String, "backup --json printed: \(result.output)")
    #expect(object?["kind"] as? String == (full ? "full" : "incremental"))
    return (id, tree)
}

/// The one JSON object `prune --json` printed for service `app`.
private func pruneJSON(_ result: CLIHarness.Result) throws -> [String: Any] {
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 1, "prune --json printed: \(result.output)")
    let object = try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: Any]
    return try #require(object, "prune --json printed: \(result.output)")
}

private func ids(_ list: Any?) -> [String] {
    ((list as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
}

/// The table row of `text` for backup `id` ("" when none): the id is a column, followed by two spaces.
private func line(_ text: String, _ id: String) -> String {
    text.split(separator: "\n").first { $0.contains("  \(id)  ") }.map(String.init) ?? ""
}

private func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

@Suite("Prune")
struct PruneTests {
    @Test("keep last 2 over full, incr, full, incr: a dry run removes nothing; prune removes the first chain, and what stays verifies, restores and is all the catalog lists")
    func lastTwo() throws {
        let h = try harness(keep: "{ last: 2 }")
        defer { h.remove() }
        try h.makeTestData(sizeMB: 1)
        try h.ok("init")
        var points: [(id: String, tree: TreeSnapshot)] = []
        for k in 0..<4 {
            if k > 0 { try h.mutate(k) }
            points.append(try backup(h, full: k % 2 == 0))
        }
        let all = points.map(\.id)
        #expect(try h.backupIDs() == all)

        let dryText = try h.ok("prune", "--dry-run")
        #expect(dryText.stdout.contains("would remove 2"), "prune --dry-run printed: \(dryText.output)")
        for id in all[0...1] {
            #expect(line(dryText.stdout, id).hasPrefix("would remove"), "\(id) not listed for removal: \(dryText.stdout)")
        }
        #expect(line(dryText.stdout, all[2]).hasPrefix("keep"))
        #expect(line(dryText.stdout, all[2]).hasSuffix("full         last 2, needed by \(all[3])"), "\(dryText.stdout)")
        #expect(line(dryText.stdout, all[3]).hasSuffix("incremental  last 1"), "\(dryText.stdout)")
        let dry = try pruneJSON(try h.ok("prune", "--dry-run", "--json"))
        #expect(dry["dryRun"] as? Bool == true)
        #expect(ids(dry["removed"]) == Array(all[0...1]))
        #expect(ids(dry["kept"]) == Array(all[2...3]))
        #expect((dry["bytesFreed"] as? Int ?? 0) > 0)
        for id in all { #expect(exists(h.backupFolder(id)), "the dry run removed \(id)") }
        #expect(try h.backupIDs() == all)

        let pruned = try pruneJSON(try h.ok("prune", "app", "--json"))
        #expect(pruned["dryRun"] as? Bool == false)
        #expect(ids(pruned["removed"]) == Array(all[0...1]))
        #expect(pruned["bytesFreed"] as? Int == dry["bytesFreed"] as? Int)
        let kept = (pruned["kept"] as? [[String: Any]]) ?? []
        #expect(kept.map { $0["reasons"] as? [String] ?? [] } == [["last 2", "needed by \(all[3])"], ["last 1"]])
        for id in all[0...1] { #expect(!exists(h.backupFolder(id)), "\(id) is still in the repository") }
        for id in all[2...3] { #expect(exists("\(h.backupFolder(id))/backup.json"), "\(id) was removed") }

        // The catalog forgot them itself (`backups` would also sync it from the repository).
        let catalog = try Catalog(path: "\(h.root)/catalog.sqlite")
        #expect(try catalog.backupIDs() == Set(all[2...3]))
        let job = try catalog.jobs(service: "app", limit: 1).first
        #expect(job?.kind == "prune" && job?.outcome == "success" && job?.bytes == (pruned["bytesFreed"] as? Int).map(Int64.init))

        try h.ok("verify", "--objects")
        #expect(try h.backupIDs() == Array(all[2...3]))
        for (i, point) in points.enumerated().dropFirst(2) {
            let target = "\(h.root)/restore-\(i)"
            try h.ok("restore", "app", "--backup", point.id, "--target", target)
            #expect(point.tree.differences(from: try TreeSnapshot(h.restored(in: target))) == [], "restore of \(point.id)")
        }
        // Nothing left to remove.
        let again = try pruneJSON(try h.ok("prune", "--json"))
        #expect(ids(again["removed"]) == [])
    }

    @Test("keep last 1: a kept incremental keeps its full backup; old incomplete folders go, fresh ones stay; --at keeps later backups")
    func parentStays() throws {
        let h = try harness(keep: "{ last: 1 }")
        defer { h.remove() }
        try h.makeTestData(sizeMB: 0.5)
        try h.ok("init")
        let first = try backup(h, full: true)
        try h.mutate(1)
        let second = try backup(h, full: false)
        let services = "\(h.root)/repo/services/app"
        let old = "20200101T000000.000Z-dead", fresh = "29990101T000000.000Z-beef"
        try h.shell("""
            mkdir '\(services)/\(old)' '\(services)/\(fresh)'
            head -c 1000 /dev/zero > '\(services)/\(old)/data-0001.tar.zst'
            touch '\(services)/\(fresh)/data-0001.tar.zst'
            touch -d '2 hours ago' '\(services)/\(old)/data-0001.tar.zst' '\(services)/\(old)'
            """)

        let whatIf = try pruneJSON(try h.ok("prune", "--dry-run", "--json", "--at", "2000-01-01T00:00:00Z"))
        let whatIfReasons = ((whatIf["kept"] as? [[String: Any]]) ?? []).map { $0["reasons"] as? [String] ?? [] }
        #expect(whatIfReasons == [["after now", "needed by \(second.id)"], ["after now"]], "prune --at 2000: \(whatIf)")

        let text = try h.ok("prune")
        #expect(text.stdout.contains("keep 2, removed 1,"), "prune printed: \(text.output)")
        #expect(text.stdout.contains("needed by \(second.id)"), "prune printed: \(text.output)")
        #expect(text.stdout.contains(old) && text.stdout.contains("incomplete"), "prune printed: \(text.output)")
        #expect(!text.stdout.contains(fresh), "prune printed: \(text.output)")
        #expect(!exists("\(services)/\(old)"))
        #expect(exists("\(services)/\(fresh)"))
        #expect(try h.backupIDs() == [first.id, second.id])
        let target = "\(h.root)/restored"
        try h.ok("restore", "app", "--target", target)
        #expect(second.tree.differences(from: try TreeSnapshot(h.restored(in: target))) == [])
    }

    @Test("an unknown service is a usage error (2); a locked service exits 5 and removes nothing")
    func errors() throws {
        let h = try harness(keep: "{ last: 1 }")
        defer { h.remove() }
        try "a\n".write(toFile: "\(h.source)/a.txt", atomically: false, encoding: .utf8)
        try h.ok("init")
        let first = try backup(h, full: true)
        _ = try backup(h, full: true)

        let unknown = try h.lifeboat("prune", "nope")
        #expect(unknown.status == 2, "prune nope: \(unknown.output)")
        #expect(unknown.stderr.contains("unknown service \"nope\""), "\(unknown.output)")

        do {
            let lock = try Repository.open(at: "\(h.root)/repo").store.lock(service: "app", purpose: "test")
            let locked = try h.lifeboat("prune", "app")
            #expect(locked.status == 5, "prune while locked: \(locked.output)")
            #expect(locked.stderr.contains("locked"), "\(locked.output)")
            withExtendedLifetime(lock) {}
        }
        #expect(exists(h.backupFolder(first.id)))
        try h.ok("prune", "app")
        #expect(!exists(h.backupFolder(first.id)))
    }
}
