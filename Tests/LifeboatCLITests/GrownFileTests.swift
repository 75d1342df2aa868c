import Foundation
import Glibc
import Testing

/// Files that only grew between backups (logs) are stored as their new bytes in a tail archive; these
/// tests check what is stored, that every point restores byte for byte with its metadata, and that a
/// damaged piece is found and never leaves a half-written file.
@Suite("Grown files")
struct GrownFileTests {
    /// Writes `lines` numbered log lines (deterministic text) to `path`, appending when asked.
    private func writeLog(_ path: String, from first: Int, lines: Int, append: Bool) throws {
        var text = ""
        for i in first..<(first + lines) { text += "2026-11-25T10:00:00Z host=api-\(i % 7) request \(i) took \(i % 977) ms status=\(200 + i % 3)\n" }
        let handle: FileHandle
        if append {
            handle = try #require(FileHandle(forWritingAtPath: path))
            handle.seekToEndOfFile()
        } else {
            FileManager.default.createFile(atPath: path, contents: nil)
            handle = try #require(FileHandle(forWritingAtPath: path))
        }
        handle.write(Data(text.utf8))
        try handle.close()
    }

    /// The manifest line of `relative` (below the source) in backup `id`.
    private func manifestLine(_ h: CLIHarness, id: String, _ relative: String) throws -> [String: Any] {
        let result = try h.shell("zstd -dc '\(h.backupFolder(id))/manifest.json.zst'")
        let suffix = "srv/app/\(relative)"
        for line in result.stdout.split(separator: "\n").dropFirst() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            if let path = object?["path"] as? String, path.hasSuffix(suffix) { return object ?? [:] }
        }
        Issue.record("backup \(id)'s manifest does not list \(relative)")
        return [:]
    }

    /// A service holding one log of `lines` lines (`api.log`), a new repository and a full backup of it;
    /// returns the log's path.
    private func fullBackupOfLog(_ h: CLIHarness, lines: Int) throws -> String {
        let log = "\(h.source)/api.log"
        try writeLog(log, from: 0, lines: lines, append: false)
        try h.ok("init")
        try h.ok("backup", "app")
        return log
    }

    /// Restores the newest backup into `ROOT/out` and expects it to equal the source tree as it is now.
    private func expectNewestRestoresExactly(_ h: CLIHarness, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let tree = try TreeSnapshot(h.source)
        try h.ok("restore", "app", "--target", "\(h.root)/out", sourceLocation: sourceLocation)
        #expect(tree.differences(from: try TreeSnapshot(h.restored(in: "\(h.root)/out"))) == [], sourceLocation: sourceLocation)
    }

    private func stats(_ result: CLIHarness.Result) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    @Test("a log that grows across three incrementals is stored as tails; every point restores exactly, also over an older copy and with plain tools")
    func growingLogRestores() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let log = "\(h.source)/logs/api.log"
        try FileManager.default.createDirectory(atPath: "\(h.source)/logs", withIntermediateDirectories: true)
        try writeLog(log, from: 0, lines: 40_000, append: false)
        try "config\n".write(toFile: "\(h.source)/app.cfg", atomically: false, encoding: .utf8)
        try h.ok("init")
        var ids: [String] = []
        var trees: [TreeSnapshot] = []
        for k in 0...3 {
            if k > 0 { try writeLog(log, from: 40_000 + 500 * k, lines: 500, append: true) }
            chmod(log, k == 3 ? 0o640 : 0o644)  // a mode change with the growth: the restore must take the newest
            let result = try h.ok("backup", "app", "--json")
            ids.append(try stats(result)["id"] as? String ?? "")
            trees.append(try TreeSnapshot(h.source))
        }

        let base = try manifestLine(h, id: ids[0], "logs/api.log")
        let baseArchive = try #require(base["archive"] as? String)
        let fullSize = try #require(FileManager.default.attributesOfItem(atPath: "\(h.backupFolder(ids[0]))/\(baseArchive)")[.size] as? Int)
        for k in 1...3 {
            let line = try manifestLine(h, id: ids[k], "logs/api.log")
            let tails = line["tails"] as? [[String: Any]] ?? []
            #expect(tails.count == k, "incremental \(k) lists \(tails.count) tails: \(line)")
            #expect(line["ref"] as? String == ids[0] && line["archive"] as? String == baseArchive, "the base moved: \(line)")
            #expect(tails.last?["ref"] as? String == ids[k])
            #expect((tails.last?["archive"] as? String)?.hasPrefix("tail-") == true)
            let tailArchives = try FileManager.default.contentsOfDirectory(atPath: h.backupFolder(ids[k])).filter { $0.hasPrefix("tail-") }
            #expect(tailArchives.count == 1, "incremental \(k) holds \(tailArchives)")
            let stored = tailArchives.compactMap { try? FileManager.default.attributesOfItem(atPath: "\(h.backupFolder(ids[k]))/\($0)")[.size] as? Int }.reduce(0, +)
            #expect(stored * 10 < fullSize, "a tail archive of \(stored) bytes for 500 lines; the full backup's archive is \(fullSize)")
        }

        for (k, id) in ids.enumerated() {
            let target = "\(h.root)/restore-\(k)"
            try h.ok("restore", "app", "--backup", id, "--target", target)
            #expect(trees[k].differences(from: try TreeSnapshot(h.restored(in: target))) == [], "restore of point \(k)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(h.restored(in: target))/logs") == ["api.log"])
        }
        // Over a target holding an older point: the grown file is assembled beside the old copy, then replaces it.
        let over = "\(h.root)/restore-1"
        try h.ok("restore", "app", "--target", over, "--force")
        #expect(trees[3].differences(from: try TreeSnapshot(h.restored(in: over))) == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(h.restored(in: over))/logs") == ["api.log"], "a temporary file was left")

        try h.shell("bash '\(CLIHarness.repositoryRoot)/Scripts/restore-without-lifeboat' repo/services/app '\(ids[3])' plain")
        #expect(trees[3].differences(from: try TreeSnapshot(h.restored(in: "\(h.root)/plain"))) == [], "plain-tools restore")
        let verify = try h.ok("verify", "--all-backups")
        #expect(verify.stdout.split(separator: "\n").filter { $0.hasPrefix("OK app ") }.count == 4, "verify printed: \(verify.output)")
        try h.ok("verify", "app", "--objects")
    }

    @Test("a file rewritten at its start and grown is stored whole; a file that shrank or stayed small too")
    func rewrittenFileStoredWhole() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try FileManager.default.createDirectory(atPath: "\(h.source)/logs", withIntermediateDirectories: true)
        let rewritten = "\(h.source)/logs/rewritten.log", small = "\(h.source)/logs/small.log", grown = "\(h.source)/logs/grown.log"
        try writeLog(rewritten, from: 0, lines: 5_000, append: false)
        try writeLog(grown, from: 0, lines: 5_000, append: false)
        try writeLog(small, from: 0, lines: 10, append: false)
        try h.ok("init")
        try h.ok("backup", "app")
        // Same first bytes but one: a content check, not a size or time check, must catch it.
        let handle = try #require(FileHandle(forUpdatingAtPath: rewritten))
        try handle.seek(toOffset: 100)
        handle.write(Data("X".utf8))
        try handle.close()
        try writeLog(rewritten, from: 9_000, lines: 100, append: true)
        try writeLog(grown, from: 9_000, lines: 100, append: true)
        try writeLog(small, from: 9_000, lines: 100, append: true)
        let result = try h.ok("backup", "app", "--json")
        let id = try stats(result)["id"] as? String ?? ""
        for (name, expectTails) in [("rewritten.log", false), ("small.log", false), ("grown.log", true)] {
            let line = try manifestLine(h, id: id, "logs/\(name)")
            #expect((line["tails"] != nil) == expectTails, "\(name): \(line)")
            if !expectTails { #expect(line["ref"] as? String == id, "\(name) should be stored whole in \(id): \(line)") }
        }
        try expectNewestRestoresExactly(h)
    }

    @Test("a damaged tail archive: verify names the grown file, restore fails naming it and leaves no partial file")
    func damagedTail() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let log = "\(h.source)/logs/api.log"
        try FileManager.default.createDirectory(atPath: "\(h.source)/logs", withIntermediateDirectories: true)
        try writeLog(log, from: 0, lines: 20_000, append: false)
        try "config\n".write(toFile: "\(h.source)/app.cfg", atomically: false, encoding: .utf8)
        try h.ok("init")
        try h.ok("backup", "app")
        try writeLog(log, from: 20_000, lines: 2_000, append: true)
        let id = try stats(try h.ok("backup", "app", "--json"))["id"] as? String ?? ""
        let tailName = try FileManager.default.contentsOfDirectory(atPath: h.backupFolder(id)).first { $0.hasPrefix("tail-") }
        let damagedPath = "\(h.backupFolder(id))/\(try #require(tailName, "no tail archive in \(id)"))"
        // Flip one byte in the middle of the compressed tail.
        let size = try #require(FileManager.default.attributesOfItem(atPath: damagedPath)[.size] as? Int)
        let handle = try #require(FileHandle(forUpdatingAtPath: damagedPath))
        try handle.seek(toOffset: UInt64(size / 2))
        let byte = handle.readData(ofLength: 1)
        try handle.seek(toOffset: UInt64(size / 2))
        handle.write(Data([byte[0] ^ 0x55]))
        try handle.close()

        let verify = try h.lifeboat("verify", "app", "--objects")
        #expect(verify.status == 1, "verify --objects exited \(verify.status): \(verify.output)")
        #expect(verify.output.contains(tailName ?? "-") && verify.output.contains("api.log"), "verify printed: \(verify.output)")

        let target = "\(h.root)/out"
        let restore = try h.lifeboat("restore", "app", "--target", target)
        #expect(restore.status == 1, "restore exited \(restore.status): \(restore.output)")
        #expect(restore.output.contains("api.log"), "restore printed: \(restore.output)")
        var st = stat()
        #expect(lstat("\(h.restored(in: target))/logs/api.log", &st) != 0, "a half-assembled api.log was left in the target")
        // The older point, which needs only the base, still restores.
        let first = try h.backupIDs()[0]
        try h.ok("restore", "app", "--backup", first, "--target", "\(h.root)/older")
    }

    @Test("after 32 tails a grown file is stored whole again")
    func tailsAreBounded() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let log = try fullBackupOfLog(h, lines: 2_000)
        var last: [String: Any] = [:]
        for k in 1...33 {
            try writeLog(log, from: 2_000 + 10 * k, lines: 10, append: true)
            let id = try stats(try h.ok("backup", "app", "--json"))["id"] as? String ?? ""
            last = try manifestLine(h, id: id, "api.log")
            let tails = last["tails"] as? [[String: Any]] ?? []
            if k <= 32 {
                #expect(tails.count == k, "backup \(k): \(tails.count) tails")
            } else {
                #expect(tails.isEmpty && last["ref"] as? String == id, "backup 33 should store the file whole: \(last)")
            }
        }
        try expectNewestRestoresExactly(h)
    }

    @Test("a log appended to while backups run: each point restores to a prefix of the final log, built from tails")
    func liveLog() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let log = "\(h.source)/live.log"
        try writeLog(log, from: 0, lines: 20_000, append: false)
        try h.ok("init")
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/bash")
        writer.arguments = ["-c", "i=0; while :; do echo \"live line $i with some padding text\" >> '\(log)'; i=$((i+1)); done"]
        try writer.run()
        var writing = true
        // SIGKILL: the test process may hold SIGTERM blocked, and its children inherit the mask.
        func stopWriter() {
            guard writing else { return }
            kill(writer.processIdentifier, SIGKILL)
            writer.waitUntilExit()
            writing = false
        }
        defer { stopWriter() }
        var ids: [String] = []
        for _ in 0..<4 {
            ids.append(try stats(try h.ok("backup", "app", "--json"))["id"] as? String ?? "")
            usleep(100_000)
        }
        stopWriter()
        let final = try Data(contentsOf: URL(fileURLWithPath: log))
        let lastLine = try manifestLine(h, id: ids[3], "live.log")
        #expect((lastLine["tails"] as? [[String: Any]])?.isEmpty == false, "the last backup stored the live log whole: \(lastLine)")
        for (k, id) in ids.enumerated() {
            let target = "\(h.root)/out-\(k)"
            try h.ok("restore", "app", "--backup", id, "--target", target)
            let restored = try Data(contentsOf: URL(fileURLWithPath: "\(h.restored(in: target))/live.log"))
            let line = try manifestLine(h, id: id, "live.log")
            #expect(restored.count == line["size"] as? Int, "point \(k): \(restored.count) bytes restored, the manifest says \(line["size"] ?? "-")")
            #expect(final.prefix(restored.count) == restored, "point \(k) is not a prefix of the log")
        }
    }

    @Test("a manifest naming two pieces of a grown file in one archive, or one archive for whole files and tails, is refused before anything is written")
    func craftedPieces() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let log = try fullBackupOfLog(h, lines: 5_000)
        for k in 1...2 {
            try writeLog(log, from: 5_000 + 100 * k, lines: 100, append: true)
            try h.ok("backup", "app")
        }
        let ids = try h.backupIDs()
        let original = try String(contentsOfFile: "\(h.backupFolder(ids[2]))/backup.json", encoding: .utf8)
        let manifest = try Data(contentsOf: URL(fileURLWithPath: "\(h.backupFolder(ids[2]))/manifest.json.zst"))
        for damage in ["same archive twice", "tail archive as a base"] {
            try h.rewriteManifest(id: ids[2]) { lines in
                for (i, line) in lines.enumerated() where line.contains("\"tails\"") {
                    var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                    var tails = try #require(object["tails"] as? [[String: Any]])
                    if damage == "same archive twice" {
                        tails[1]["ref"] = tails[0]["ref"]
                        tails[1]["archive"] = tails[0]["archive"]
                    } else {
                        object["ref"] = tails[0]["ref"]
                        object["archive"] = tails[0]["archive"]
                    }
                    object["tails"] = tails
                    lines[i] = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
                }
            }
            let target = "\(h.root)/out"
            let restore = try h.lifeboat("restore", "app", "--target", target)
            #expect(restore.status == 1, "\(damage): restore exited \(restore.status): \(restore.output)")
            #expect(restore.output.contains("both for whole files and for appended bytes") || restore.output.contains("two pieces"),
                    "\(damage): \(restore.output)")
            #expect(!FileManager.default.fileExists(atPath: target), "\(damage): the restore created its target")
            try original.write(toFile: "\(h.backupFolder(ids[2]))/backup.json", atomically: false, encoding: .utf8)
            try manifest.write(to: URL(fileURLWithPath: "\(h.backupFolder(ids[2]))/manifest.json.zst"))
        }
        try h.ok("restore", "app", "--target", "\(h.root)/good")
    }

    @Test("a grown file restores with the newest version's xattrs, not the base's")
    func grownFileXattrs() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let log = "\(h.source)/api.log"
        try writeLog(log, from: 0, lines: 5_000, append: false)
        let setxattr = "import os, sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode())"
        let probe = try h.run("python3", ["-c", setxattr, log, "user.lifeboat.old", "base"])
        try #require(probe.status == 0, "this filesystem has no user xattrs: \(probe.output)")
        try h.ok("init")
        try h.ok("backup", "app")
        try h.shell("python3 -c 'import os; os.removexattr(\"\(log)\", \"user.lifeboat.old\")'")
        try h.run("python3", ["-c", setxattr, log, "user.lifeboat.new", "newest"])
        try writeLog(log, from: 9_000, lines: 100, append: true)
        let id = try stats(try h.ok("backup", "app", "--json"))["id"] as? String ?? ""
        #expect(try manifestLine(h, id: id, "api.log")["tails"] != nil)
        for mode in ["empty", "force"] {
            let target = "\(h.root)/out"
            if mode == "force" { try h.ok("restore", "app", "--target", target, "--force") } else { try h.ok("restore", "app", "--target", target) }
            let names = try h.shell("python3 -c 'import os; print(sorted(os.listxattr(\"\(h.restored(in: target))/api.log\")))'").stdout
            #expect(names.contains("user.lifeboat.new") && !names.contains("user.lifeboat.old"), "\(mode): \(names)")
        }
    }
}
