import Foundation
import Testing

/// Every test builds its own repository: a full backup of the test tree, change set 1, an incremental
/// backup. Then one object is damaged the way disks and people damage files, and both levels of
/// `verify` must exit 1 naming the object, the backups it breaks and the files affected.
@Suite("Damaged repositories are diagnosed")
struct CorruptionTests {
    /// The full and incremental backup of a fresh repository in `h`.
    private struct Chain {
        let full: String
        let incremental: String
    }

    private func makeChain(_ h: CLIHarness) throws -> Chain {
        try h.makeTestData(sizeMB: 1)
        try h.ok("init")
        try h.ok("backup", "app", "--full")
        try h.mutate(1)
        try h.ok("backup", "app", "--incremental")
        let ids = try h.backupIDs()
        try #require(ids.count == 2, "expected a full and an incremental backup, got \(ids)")
        return Chain(full: ids[0], incremental: ids[1])
    }

    /// The tree path of the backed-up folder (`/tmp/x/srv/app` → `tmp/x/srv/app`): file paths in
    /// messages start with it.
    private func treeRoot(_ h: CLIHarness) -> String { String(h.source.drop { $0 == "/" }) }

    private func objectPath(_ h: CLIHarness, _ id: String, _ name: String) -> String { "\(h.backupFolder(id))/\(name)" }

    // MARK: damage

    /// Flips one byte in the middle of the object.
    private func flipMiddleByte(_ path: String) throws {
        try flipBytes(path, count: 1)
    }

    /// Flips `count` bytes spread evenly over the object, so the damage reaches content that every
    /// backup of the chain needs, wherever the archive placed it.
    private func flipBytes(_ path: String, count: Int) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        try #require(data.count > 100, "\(path) is too small to damage in the middle")
        for k in 1...count { data[data.count * k / (count + 1)] ^= 0xFF }
        try data.write(to: URL(fileURLWithPath: path))
    }

    private func truncateToHalf(_ path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
    }

    // MARK: checks

    /// Records an issue unless `result` exited `status` and its output mentions every string.
    private func check(_ result: CLIHarness.Result, exits status: Int32, mentioning needles: [String],
                        _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == status, "\(what) exited \(result.status), expected \(status): \(result.output)",
                sourceLocation: sourceLocation)
        for needle in needles {
            #expect(result.output.contains(needle), "\(what) does not mention \"\(needle)\": \(result.output)",
                    sourceLocation: sourceLocation)
        }
    }

    /// The problems `verify --objects --json` reports (it must exit 1).
    private func objectProblems(_ h: CLIHarness, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let result = try h.lifeboat("verify", "--objects", "--json")
        #expect(result.status == 1, "verify --objects --json exited \(result.status): \(result.output)", sourceLocation: sourceLocation)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return object?["problems"] as? [[String: Any]] ?? []
    }

    /// After any damage, `backup app` still exits 0, and a `--full` backup gives a recovery point that
    /// verifies by restoring. When the damage is visible without re-hashing (an archive missing or of
    /// the wrong size, an unreadable backup.json), the automatic backup does not build on the broken
    /// chain: it is a full backup and says why.
    private func expectBackupsStillWork(_ h: CLIHarness, autoIsFull: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let auto = try h.ok("backup", "app", "--json", sourceLocation: sourceLocation)
        if autoIsFull {
            let record = try JSONSerialization.jsonObject(with: Data(auto.stdout.utf8)) as? [String: Any]
            #expect(record?["kind"] as? String == "full", "backup after damage printed \(auto.stdout)", sourceLocation: sourceLocation)
            #expect(auto.stdout.contains("took a full backup instead"), "the note says why: \(auto.stdout)", sourceLocation: sourceLocation)
        }
        let full = try h.ok("backup", "app", "--full", "--json", sourceLocation: sourceLocation)
        let record = try JSONSerialization.jsonObject(with: Data(full.stdout.utf8)) as? [String: Any]
        #expect(record?["kind"] as? String == "full", "backup --full printed \(full.stdout)", sourceLocation: sourceLocation)
        let id = try #require(record?["id"] as? String, sourceLocation: sourceLocation)
        let verify = try h.lifeboat("verify", "app", "--restore", "--backup", id)
        check(verify, exits: 0, mentioning: ["OK app \(id)"], "verify --restore of the new full backup", sourceLocation: sourceLocation)
    }

    /// The checks shared by the three kinds of damage to the full backup's data archive: both verify
    /// levels fail, naming the object, both backups (the incremental refers to the full's archive for
    /// its unchanged files) and affected files.
    private func expectDataArchiveDiagnosed(_ h: CLIHarness, _ chain: Chain, problem kind: String, saying words: [String], restoreSays restoreWord: String,
                                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        let object = "services/app/\(chain.full)/data-0001.tar.zst"
        let file = treeRoot(h) + "/"

        let objects = try h.lifeboat("verify", "--objects")
        check(objects, exits: 1, mentioning: [object, chain.full, chain.incremental, file] + words, "verify --objects",
               sourceLocation: sourceLocation)
        let problems = try objectProblems(h, sourceLocation: sourceLocation)
        #expect(problems.count == 1, "expected one problem: \(problems)", sourceLocation: sourceLocation)
        if let problem = problems.first {
            #expect(problem["backup"] as? String == chain.full, sourceLocation: sourceLocation)
            #expect(problem["object"] as? String == "data-0001.tar.zst", sourceLocation: sourceLocation)
            #expect(problem["problem"] as? String == kind, "problem: \(problem)", sourceLocation: sourceLocation)
            #expect(problem["affectedBackups"] as? [String] == [chain.full, chain.incremental], "problem: \(problem)",
                    sourceLocation: sourceLocation)
            let files = problem["affectedFiles"] as? [String] ?? []
            #expect(!files.isEmpty && files.allSatisfy { $0.hasPrefix(file) }, "affected files: \(files)", sourceLocation: sourceLocation)
        }

        let restoreFull = try h.lifeboat("verify", "app", "--restore", "--backup", chain.full)
        check(restoreFull, exits: 1, mentioning: ["FAILED app \(chain.full)", object, file, restoreWord],
               "verify --restore --backup FULL", sourceLocation: sourceLocation)

        // The incremental stores only what changed: its unchanged files come from the full's archive.
        let restoreIncremental = try h.lifeboat("verify", "app", "--restore", "--backup", chain.incremental)
        check(restoreIncremental, exits: 1, mentioning: ["FAILED app \(chain.incremental)", object, file],
               "verify --restore --backup INCREMENTAL", sourceLocation: sourceLocation)
    }

    // MARK: tests

    @Test("a flipped byte in the full backup's data archive breaks both backups")
    func flippedByteInDataArchive() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let chain = try makeChain(h)
        try flipBytes(objectPath(h, chain.full, "data-0001.tar.zst"), count: 16)
        try expectDataArchiveDiagnosed(h, chain, problem: "sha256", saying: ["SHA-256"], restoreSays: "is damaged")
        try expectBackupsStillWork(h)
    }

    @Test("the full backup's data archive truncated to half breaks both backups")
    func truncatedDataArchive() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let chain = try makeChain(h)
        try truncateToHalf(objectPath(h, chain.full, "data-0001.tar.zst"))
        try expectDataArchiveDiagnosed(h, chain, problem: "size", saying: ["truncated"], restoreSays: "is damaged")
        try expectBackupsStillWork(h, autoIsFull: true)
    }

    @Test("the full backup's data archive deleted is reported missing")
    func deletedDataArchive() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let chain = try makeChain(h)
        try FileManager.default.removeItem(atPath: objectPath(h, chain.full, "data-0001.tar.zst"))
        try expectDataArchiveDiagnosed(h, chain, problem: "missing", saying: ["missing"], restoreSays: "is missing")
        try expectBackupsStillWork(h, autoIsFull: true)
    }

    @Test("a damaged incremental manifest breaks that backup only; the next backup is a full one")
    func damagedIncrementalManifest() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let chain = try makeChain(h)
        try flipMiddleByte(objectPath(h, chain.incremental, "manifest.json.zst"))
        let object = "services/app/\(chain.incremental)/manifest.json.zst"

        let objects = try h.lifeboat("verify", "--objects")
        check(objects, exits: 1, mentioning: [object, "breaks backup(s): \(chain.incremental)", "all files"], "verify --objects")
        #expect(!objects.output.contains("breaks backup(s): \(chain.full)"), "the full backup is not broken: \(objects.output)")
        let problems = try objectProblems(h)
        #expect(problems.count == 1, "expected one problem: \(problems)")
        if let problem = problems.first {
            #expect(problem["object"] as? String == "manifest.json.zst")
            #expect(problem["affectedBackups"] as? [String] == [chain.incremental], "problem: \(problem)")
            #expect((problem["affectedFileCount"] as? NSNumber)?.intValue == -1, "all files: \(problem)")
        }

        let restore = try h.lifeboat("verify", "app", "--restore", "--backup", chain.incremental)
        check(restore, exits: 1, mentioning: ["FAILED app \(chain.incremental)", object, "all its files"], "verify --restore --backup INCREMENTAL")

        let full = try h.lifeboat("verify", "app", "--restore", "--backup", chain.full)
        check(full, exits: 0, mentioning: ["OK app \(chain.full)"], "verify --restore --backup FULL")

        // The damaged manifest cannot be a parent: the next backup is full, and says why.
        let backup = try h.lifeboat("backup", "app")
        check(backup, exits: 0, mentioning: ["full backup", "parent backup \(chain.incremental) cannot be built on", "took a full backup"],
               "backup app after the damage")
        #expect(backup.stderr.contains("took a full backup"), "the note is a warning on stderr: \(backup.output)")
        let ids = try h.backupIDs()
        let newest = try #require(ids.last)
        #expect(ids.count == 3 && newest != chain.incremental, "backups: \(ids)")
        let verify = try h.lifeboat("verify", "app", "--restore", "--backup", newest)
        check(verify, exits: 0, mentioning: ["OK app \(newest)"], "verify --restore of the new full backup")
    }

    @Test("an incremental's backup.json that is not JSON is diagnosed, not ignored")
    func invalidIncrementalRecord() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let chain = try makeChain(h)
        try #"{"format": "lifeboat-backup", "id": "#.write(toFile: objectPath(h, chain.incremental, "backup.json"), atomically: false, encoding: .utf8)
        let object = "services/app/\(chain.incremental)/backup.json"

        let objects = try h.lifeboat("verify", "--objects")
        check(objects, exits: 1, mentioning: [object, "breaks backup(s): \(chain.incremental)", "all files"], "verify --objects")
        let problems = try objectProblems(h)
        #expect(problems.map { $0["object"] as? String } == ["backup.json"], "problems: \(problems)")
        #expect(problems.first?["affectedBackups"] as? [String] == [chain.incremental], "problems: \(problems)")

        // Asked for by id, the backup is damaged (exit 1), not "unknown" (a usage error).
        let restore = try h.lifeboat("verify", "app", "--restore", "--backup", chain.incremental)
        check(restore, exits: 1, mentioning: [chain.incremental, object], "verify --restore --backup INCREMENTAL")

        // Verifying every backup must not pass over the damaged one in silence.
        let all = try h.lifeboat("verify", "app", "--restore", "--all-backups")
        check(all, exits: 1, mentioning: [chain.incremental, object], "verify --restore --all-backups")

        let full = try h.lifeboat("verify", "app", "--restore", "--backup", chain.full)
        check(full, exits: 0, mentioning: ["OK app \(chain.full)"], "verify --restore --backup FULL")
        try expectBackupsStillWork(h)
    }

    @Test("a full backup's backup.json that is not JSON breaks the incremental built on it too")
    func invalidFullRecord() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let chain = try makeChain(h)
        try "not json {\n".write(toFile: objectPath(h, chain.full, "backup.json"), atomically: false, encoding: .utf8)
        let object = "services/app/\(chain.full)/backup.json"

        let objects = try h.lifeboat("verify", "--objects")
        check(objects, exits: 1, mentioning: [object], "verify --objects")
        let problems = try objectProblems(h)
        #expect(problems.map { $0["object"] as? String } == ["backup.json"], "problems: \(problems)")
        // The incremental's unchanged files live in the full's archive, which no readable record describes.
        #expect(problems.first?["affectedBackups"] as? [String] == [chain.full, chain.incremental], "problems: \(problems)")

        let restoreFull = try h.lifeboat("verify", "app", "--restore", "--backup", chain.full)
        check(restoreFull, exits: 1, mentioning: [chain.full, object], "verify --restore --backup FULL")

        let restoreIncremental = try h.lifeboat("verify", "app", "--restore", "--backup", chain.incremental)
        check(restoreIncremental, exits: 1, mentioning: ["FAILED app \(chain.incremental)", object, treeRoot(h) + "/"],
               "verify --restore --backup INCREMENTAL")
        try expectBackupsStillWork(h, autoIsFull: true)
    }
}
