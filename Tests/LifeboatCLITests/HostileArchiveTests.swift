import Foundation
import Glibc
import Testing

/// Data archives made by hand to attack the restore (see `PathSafetyTests` for `..` members and paths,
/// and for symlinks planted in the target). A restore joins the manifest and the archive, so each case
/// edits both, keeping every SHA-256 consistent: the restore must refuse it with an error that names
/// the entry, write nothing outside the target, and `verify --restore` must report the same damage.
@Suite("Hostile data archives are refused on restore")
struct HostileArchiveTests {
    static let archive = "data-9999.tar.zst"

    /// A backup of the small tree whose second data archive holds `members` and whose manifest also
    /// lists `lines` (inserted in tree order); both closures get the harness and the backup id.
    /// Returns the harness, the backup id and the nested target.
    private func hostileBackup(_ name: String, members: (CLIHarness, String) throws -> [CLIHarness.TarMember],
                               lines: (CLIHarness, String) throws -> [String]) throws -> (CLIHarness, String, String) {
        let h = try CLIHarness(name: name)
        let id = try h.smallBackup()
        let tar = try members(h, id)
        if !tar.isEmpty { try h.craftArchive(id: id, name: Self.archive, members: tar) }
        let added = try lines(h, id)
        try h.rewriteManifest(id: id) { manifest in
            for line in added { try CLIHarness.insertInTreeOrder(line, into: &manifest) }
        }
        return (h, id, try h.nestedTarget())
    }

    /// Runs `lifeboat ARGS` under `timeout`, so that a restore that hangs fails the test instead.
    private func lifeboat(_ h: CLIHarness, _ args: String...) throws -> CLIHarness.Result {
        try h.run("/usr/bin/timeout", ["120", CLIHarness.binary] + args + ["--config", "\(h.root)/lifeboat.yaml"])
    }

    /// Restores into `target` and runs `verify --restore`: both must fail as damage (exit 1, not a
    /// usage error), saying each of `words`. Returns both results.
    @discardableResult
    private func expectRefused(_ h: CLIHarness, target: String, saying words: [String],
                               sourceLocation: SourceLocation = #_sourceLocation) throws -> [CLIHarness.Result] {
        let results = [try lifeboat(h, "restore", "app", "--target", target), try lifeboat(h, "verify", "app", "--restore")]
        for (what, result) in zip(["restore", "verify --restore"], results) {
            #expect(result.status == 1, "\(what) exited \(result.status): \(result.output)", sourceLocation: sourceLocation)
            for word in words {
                #expect(result.output.contains(word), "\(what) does not say \"\(word)\": \(result.output)", sourceLocation: sourceLocation)
            }
        }
        return results
    }

    /// What `find FOLDER TESTS` lists.
    private func find(_ h: CLIHarness, _ folder: String, _ tests: String...) throws -> String {
        try h.run("/usr/bin/find", [folder] + tests).stdout
    }

    /// A manifest line for a file of `content` in this suite's crafted archive.
    private func fileLine(_ path: String, _ content: String, id: String, size: Int? = nil) throws -> String {
        try CLIHarness.fileLine(path: path, content: content, id: id, archive: Self.archive, size: size)
    }

    @Test("an absolute member is not written anywhere: it does not match the manifest's path")
    func absoluteMember() throws {
        let (h, id, target) = try hostileBackup(#function) { h, _ in
            [.init(name: "\(h.root)/abs-evil", content: "evil\n")]
        } lines: { h, id in
            [try fileLine("\(h.treeRoot)/abs-evil", "evil\n", id: id)]
        }
        defer { h.remove() }
        try expectRefused(h, target: target, saying: ["services/app/\(id)/\(Self.archive) does not contain \(h.treeRoot)/abs-evil"])
        h.expectNothingOutside(escapes: ["\(h.root)/abs-evil"])
        #expect(try find(h, h.root, "-name", "abs-evil").isEmpty)
    }

    /// A symlink that leads out of the target, then something written through it.
    enum SymlinkTrick: String, CaseIterable, CustomTestStringConvertible {
        /// The archive holds `a -> OUTSIDE` then `a/evil`; the manifest lists both.
        case fileBelowSymlink
        /// `a -> OUTSIDE`, `aa -> elsewhere`, then a hard link `ab` to `a/secret.txt`: the symlink the
        /// link goes through is not the last one listed.
        case hardlinkThroughEarlierSymlink
        /// `a -> OUTSIDE`, `c -> elsewhere`, then the folder `a/planted` after them, out of tree order.
        case outOfOrderManifest

        var testDescription: String { rawValue }
    }

    @Test("a symlink, then a path through it, is refused", arguments: SymlinkTrick.allCases)
    func symlinkThenPath(_ trick: SymlinkTrick) throws {
        var outside = ""
        let (h, id, target) = try hostileBackup("symlinkThenPath\(trick.rawValue)") { h, _ in
            outside = "\(h.root)/outside"
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            try "secret\n".write(toFile: "\(outside)/secret.txt", atomically: false, encoding: .utf8)
            guard trick == .fileBelowSymlink else { return [] }
            return [.init(type: "symlink", name: "\(h.treeRoot)/a", link: outside), .init(name: "\(h.treeRoot)/a/evil", content: "evil\n")]
        } lines: { h, id in
            let root = h.treeRoot
            let link = try CLIHarness.manifestLine(path: "\(root)/a", type: "symlink", ["target": outside])
            switch trick {
            case .fileBelowSymlink:
                return [link, try fileLine("\(root)/a/evil", "evil\n", id: id)]
            case .hardlinkThroughEarlierSymlink:
                return [link, try CLIHarness.manifestLine(path: "\(root)/aa", type: "symlink", ["target": "elsewhere"]),
                        try CLIHarness.manifestLine(path: "\(root)/ab", type: "hardlink", ["link": "\(root)/a/secret.txt"])]
            case .outOfOrderManifest:
                return [link, try CLIHarness.manifestLine(path: "\(root)/c", type: "symlink", ["target": "elsewhere"])]
            }
        }
        defer { h.remove() }
        let root = h.treeRoot
        if trick == .outOfOrderManifest {
            try h.rewriteManifest(id: id) { lines in
                let after = try #require(lines.firstIndex { $0.contains("\"path\":\"\(root)/c\"") })
                lines.insert(try CLIHarness.manifestLine(path: "\(root)/a/planted", type: "dir", ["mode": "0755"]), at: after + 1)
            }
        }
        let refusal = switch trick {
        case .fileBelowSymlink: "lists \(root)/a/evil below the symlink \(root)/a"
        case .hardlinkThroughEarlierSymlink: "links \(root)/ab to \(root)/a/secret.txt, below the symlink \(root)/a"
        case .outOfOrderManifest: "lists \(root)/a/planted after \(root)/c, out of tree order"
        }
        try expectRefused(h, target: target, saying: [refusal, "refusing to restore"])
        h.expectNothingOutside(escapes: [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["secret.txt"])
        var st = stat()
        #expect(lstat("\(outside)/secret.txt", &st) == 0 && st.st_nlink == 1, "the file outside gained a hard link (nlink \(st.st_nlink))")
    }

    /// A special file where the manifest lists a regular one, or a manifest line of a special type.
    enum SpecialFile: String, CaseIterable, CustomTestStringConvertible {
        case charDevice = "char", blockDevice = "block", fifo
        /// The manifest line itself says `"type":"char"`: the format has no such type.
        case manifestType

        var testDescription: String { rawValue }
    }

    @Test("a device node or FIFO is never created", arguments: SpecialFile.allCases)
    func specialFile(_ special: SpecialFile) throws {
        let (h, id, target) = try hostileBackup("specialFile\(special.rawValue)") { h, _ in
            special == .manifestType ? [] : [.init(type: special.rawValue, name: "\(h.treeRoot)/special")]
        } lines: { h, id in
            [special == .manifestType ? try CLIHarness.manifestLine(path: "\(h.treeRoot)/special", type: "char")
                : try fileLine("\(h.treeRoot)/special", "", id: id)]
        }
        defer { h.remove() }
        let words = special == .manifestType ? ["manifest.json.zst is damaged", "missing or unknown type"]
            : ["services/app/\(id)/\(Self.archive) holds \(h.treeRoot)/special as a device, FIFO or other special file, not as the regular file"]
        try expectRefused(h, target: target, saying: words)
        h.expectNothingOutside(escapes: [])
        #expect(try find(h, h.root, "(", "-type", "c", "-o", "-type", "b", "-o", "-type", "p", ")").isEmpty)
    }

    /// A member whose header claims more than the archive holds.
    enum HugeSize: String, CaseIterable, CustomTestStringConvertible {
        /// The header claims 99,999,999,999 bytes; the manifest says 6, what is there.
        case claimsMoreThanManifest
        /// Header and manifest agree on 10 MiB; the archive ends after 6 bytes.
        case truncatedArchive
        /// A sparse member of 1 TB logical size (hashing its holes would take hours); the manifest says 6.
        case sparseTerabyte

        var testDescription: String { rawValue }
    }

    @Test("a member claiming a huge size is refused quickly, and no partial file is left", arguments: HugeSize.allCases)
    func hugeSize(_ huge: HugeSize) throws {
        let (h, id, target) = try hostileBackup("hugeSize\(huge.rawValue)") { h, _ in
            let path = "\(h.treeRoot)/big"
            return switch huge {
            case .claimsMoreThanManifest: [.init(name: path, content: "hello\n", size: 99_999_999_999)]
            case .truncatedArchive: [.init(name: path, content: "hello\n", size: 10 << 20)]
            case .sparseTerabyte: [.init(name: path, content: "hello\n", sparse: 1_000_000_000_000)]
            }
        } lines: { h, id in
            [try fileLine("\(h.treeRoot)/big", "hello\n", id: id, size: huge == .truncatedArchive ? 10 << 20 : nil)]
        }
        defer { h.remove() }
        let path = "\(h.treeRoot)/big"
        let words = switch huge {
        case .claimsMoreThanManifest: ["its entry for \(path) claims 99999999999 bytes, the manifest 6"]
        case .truncatedArchive: ["services/app/\(id)/\(Self.archive) is damaged", "file \(path) cannot be restored"]
        case .sparseTerabyte: ["its entry for \(path) claims 1000000000000 bytes, the manifest 6"]
        }
        let started = ContinuousClock.now
        try expectRefused(h, target: target, saying: words)
        #expect(ContinuousClock.now - started < .seconds(30), "restore and verify took \(ContinuousClock.now - started)")
        #expect(!FileManager.default.fileExists(atPath: "\(target)/\(path)"), "a partial file was left in the target")
        h.expectNothingOutside(escapes: [])
    }

    /// Names with characters a terminal acts on.
    enum ControlName: String, CaseIterable, CustomTestStringConvertible {
        case newline = "new\nline"
        case escape = "\u{1B}[2J\u{1B}]0;pwned\u{7}"
        case carriageReturn = "back\rspace\u{8}"

        var testDescription: String { String(describing: self) }
    }

    @Test("names with control characters restore as they are, inside the target", arguments: ControlName.allCases)
    func controlCharactersRestore(_ name: ControlName) throws {
        let (h, _, target) = try hostileBackup("controlCharactersRestore\(String(describing: name))") { h, _ in
            [.init(name: "\(h.treeRoot)/\(name.rawValue)", content: "odd\n")]
        } lines: { h, id in
            [try fileLine("\(h.treeRoot)/\(name.rawValue)", "odd\n", id: id)]
        }
        defer { h.remove() }
        let restore = try lifeboat(h, "restore", "app", "--target", target)
        #expect(restore.status == 0, "restore exited \(restore.status): \(restore.output)")
        #expect(try String(contentsOfFile: "\(target)/\(h.treeRoot)/\(name.rawValue)", encoding: .utf8) == "odd\n")
        h.expectNothingOutside(escapes: [])
        let verify = try lifeboat(h, "verify", "app", "--restore")
        #expect(verify.status == 0, "verify --restore exited \(verify.status): \(verify.output)")
    }

    @Test("an error naming an entry with control characters shows them escaped, not raw", arguments: ControlName.allCases)
    func controlCharactersInMessages(_ name: ControlName) throws {
        // The archive's content does not match the manifest's SHA-256.
        let (h, _, target) = try hostileBackup("controlCharactersInMessages\(String(describing: name))") { h, _ in
            [.init(name: "\(h.treeRoot)/\(name.rawValue)", content: "bad\n")]
        } lines: { h, id in
            [try fileLine("\(h.treeRoot)/\(name.rawValue)", "odd\n", id: id)]
        }
        defer { h.remove() }
        let shown = name.rawValue.unicodeScalars.map { $0 == "\n" || $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16, uppercase: true))}" }.joined()
        let results = try expectRefused(h, target: target, saying: ["file \(h.treeRoot)/\(shown) does not match its SHA-256"])
        for result in results {
            let raw = result.output.unicodeScalars.filter { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }
            #expect(raw.isEmpty, "raw control characters reached the terminal: \(raw.map(\.value))")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(target)/\(h.treeRoot)/\(name.rawValue)"), "the damaged file was left in the target")
        h.expectNothingOutside(escapes: [])
    }
}
