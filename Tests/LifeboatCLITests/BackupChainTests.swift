import Foundation
import Glibc
import Testing

/// One recovery point of a chain: what `backup app --json` printed, and the source tree when it ran.
private struct Point {
    var id: String
    var kind: String
    var parent: String?
    var filesStored: Int
    var finished: String
    var tree: TreeSnapshot
}

/// Makes the test tree (2 MB), then takes a full backup and three incrementals, applying change set
/// 1, 2, 3 before each incremental. Returns the four points, oldest first.
private func makeChain(_ h: CLIHarness) throws -> [Point] {
    try h.makeTestData(sizeMB: 2)
    try h.ok("init")
    var points: [Point] = []
    for k in 0...3 {
        if k > 0 { try h.mutate(k) }
        let tree = try TreeSnapshot(h.source)
        let result = try h.ok("backup", "app", "--json")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let json = try #require(object, "backup --json printed: \(result.output)")
        points.append(Point(id: json["id"] as? String ?? "", kind: json["kind"] as? String ?? "",
                            parent: json["parent"] as? String, filesStored: json["filesStored"] as? Int ?? -1,
                            finished: json["finished"] as? String ?? "", tree: tree))
    }
    return points
}

private func exists(_ path: String) -> Bool {
    var st = stat()
    return lstat(path, &st) == 0
}

/// Puts extras into a target holding a restored tree: a file and a folder tree at the top of the backed-up
/// path, a file in a folder every point has, a dangling symlink, and a file outside the backed-up path.
/// Returns the paths below the backed-up path (the outside file is `TARGET/outside.txt`).
private func addExtras(_ h: CLIHarness, target: String) throws -> [String] {
    let app = h.restored(in: target)
    let fm = FileManager.default
    try fm.createDirectory(atPath: "\(app)/extra-folder/nested", withIntermediateDirectories: true)
    try "extra\n".write(toFile: "\(app)/extra-folder/nested/deep.txt", atomically: false, encoding: .utf8)
    try "extra\n".write(toFile: "\(app)/extra-file.txt", atomically: false, encoding: .utf8)
    try "extra\n".write(toFile: "\(app)/src/extra-in-existing-folder.txt", atomically: false, encoding: .utf8)
    try fm.createSymbolicLink(atPath: "\(app)/links/extra-link", withDestinationPath: "nowhere")
    try "outside\n".write(toFile: "\(target)/outside.txt", atomically: false, encoding: .utf8)
    return ["extra-folder", "extra-folder/nested", "extra-folder/nested/deep.txt", "extra-file.txt",
            "src/extra-in-existing-folder.txt", "links/extra-link"].map { "\(app)/\($0)" }
}

@Suite("Backup chains")
struct BackupChainTests {
    @Test("a full backup and three incrementals: right kinds and parents, and every point restores exactly")
    func everyPointRestores() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let points = try makeChain(h)

        // The tree holds what the comparisons are meant to cover.
        let first = points[0].tree.entries.values
        #expect(first.contains { $0.sparse }, "no sparse file with holes in the source tree")
        #expect(first.contains { $0.hardlinkGroup != nil }, "no hard links in the source tree")
        #expect(first.contains { $0.type == "symlink" }, "no symlinks in the source tree")

        #expect(points.map(\.kind) == ["full", "incremental", "incremental", "incremental"])
        #expect(points[0].parent == nil)
        for i in 1..<points.count {
            #expect(points[i].parent == points[i - 1].id, "backup \(i) should be built on backup \(i - 1)")
            #expect(points[i].filesStored > 0, "incremental \(i) stored nothing, but change set \(i) changed files")
            #expect(points[i].filesStored * 3 < points[0].filesStored,
                    "incremental \(i) stored \(points[i].filesStored) files, the full backup \(points[0].filesStored)")
            #expect(points[i].tree.differences(from: points[i - 1].tree) != [], "change set \(i) changed nothing")
        }
        #expect(try h.backupIDs() == points.map(\.id))

        for (i, point) in points.enumerated() {
            let target = "\(h.root)/restore-\(i)"
            try h.ok("restore", "app", "--backup", point.id, "--target", target)
            let restored = try TreeSnapshot(h.restored(in: target))
            #expect(point.tree.differences(from: restored) == [], "restore of backup \(i) (\(point.id))")
        }
    }

    @Test("restore --at picks the newest backup finished by then; verify --all-backups checks all four")
    func restoreAtAndVerifyAll() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let points = try makeChain(h)

        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let earlier = try #require(formatter.date(from: points[1].finished), "finished: \(points[1].finished)")
        let later = try #require(formatter.date(from: points[2].finished), "finished: \(points[2].finished)")
        #expect(later.timeIntervalSince(earlier) > 0.004)
        let between = formatter.string(from: earlier.addingTimeInterval(later.timeIntervalSince(earlier) / 2))
        let target = "\(h.root)/restore-at"
        let result = try h.ok("restore", "app", "--at", between, "--target", target, "--json")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["backup"] as? String == points[1].id, "--at \(between) restored: \(result.output)")
        let restoredAt = try TreeSnapshot(h.restored(in: target))
        #expect(points[1].tree.differences(from: restoredAt) == [])

        let verify = try h.ok("verify", "--all-backups")
        let okLines = verify.stdout.split(separator: "\n").filter { $0.hasPrefix("OK app ") }
        #expect(okLines.count == 4, "verify --all-backups printed: \(verify.output)")
        for point in points {
            #expect(okLines.contains { $0.hasPrefix("OK app \(point.id):") }, "no OK line for \(point.id): \(verify.output)")
        }
        #expect(!verify.stdout.contains("FAILED"))
    }

    @Test("restoring an older point over the newest tree: refused without a flag, --exact removes extras, --force keeps them")
    func restoreOverNewerTree() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let points = try makeChain(h)
        let older = points[0], newest = points[3]

        // No flag: exit 2, the target untouched.
        let busy = "\(h.root)/busy"
        try h.ok("restore", "app", "--target", busy)
        let restoredNewest = try TreeSnapshot(h.restored(in: busy))
        #expect(newest.tree.differences(from: restoredNewest) == [])
        _ = try addExtras(h, target: busy)
        let before = try TreeSnapshot(busy)
        let refused = try h.lifeboat("restore", "app", "--backup", older.id, "--target", busy)
        #expect(refused.status == 2, "restore into a non-empty target exited \(refused.status): \(refused.output)")
        #expect(refused.output.contains("--exact") && refused.output.contains("--force"), "message: \(refused.output)")
        let after = try TreeSnapshot(busy)
        #expect(before.differences(from: after) == [], "a refused restore changed the target")

        // --exact: the backed-up path becomes exactly the older point; what lies outside it stays.
        let exact = "\(h.root)/exact"
        try h.ok("restore", "app", "--target", exact)
        let exactExtras = try addExtras(h, target: exact)
        try h.ok("restore", "app", "--backup", older.id, "--target", exact, "--exact")
        let exactTree = try TreeSnapshot(h.restored(in: exact))
        #expect(older.tree.differences(from: exactTree) == [])
        for path in exactExtras { #expect(!exists(path), "--exact left \(path)") }
        #expect(exists("\(exact)/outside.txt"), "--exact removed a file outside the backed-up paths")

        // --force: every backed-up path is the older point's; extras (and the newer point's paths) stay.
        let force = "\(h.root)/force"
        try h.ok("restore", "app", "--target", force)
        let forceExtras = try addExtras(h, target: force)
        try h.ok("restore", "app", "--backup", older.id, "--target", force, "--force")
        let forced = try TreeSnapshot(h.restored(in: force))
        var backedUp = forced
        backedUp.entries = forced.entries.filter { older.tree.entries[$0.key] != nil }
        #expect(older.tree.differences(from: backedUp) == [])
        for path in forceExtras { #expect(exists(path), "--force removed \(path)") }
        #expect(exists("\(force)/outside.txt"))
        let newerOnly = Set(newest.tree.entries.keys).subtracting(older.tree.entries.keys)
        #expect(!newerOnly.isEmpty)
        #expect(newerOnly.subtracting(forced.entries.keys).isEmpty, "--force removed paths of the newer tree")
    }
}
