import Foundation
import Glibc
import Testing

/// A repository is data from elsewhere (another host, a bucket someone else can write): a restore must
/// never create, change or remove anything outside its target, whatever the manifest and archives say
/// and whatever the target already holds. The crafted repositories keep every SHA-256 consistent, so
/// only path checks can stop them.
@Suite("Restores never write outside the target")
struct PathSafetyTests {
    /// Replaces `"key":"old"` by `"key":"new"` in the one manifest line that has it.
    private func replace(_ key: String, _ old: String, with new: String, in lines: inout [String],
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
        let needle = "\"\(key)\":\"\(old)\""
        let index = try #require(lines.firstIndex { $0.contains(needle) }, "no manifest line has \(needle)", sourceLocation: sourceLocation)
        lines[index] = lines[index].replacingOccurrences(of: needle, with: "\"\(key)\":\"\(new)\"")
    }

    private func expectRefused(_ result: CLIHarness.Result, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status != 0, "the restore succeeded: \(result.output)", sourceLocation: sourceLocation)
        #expect(result.status != 2, "a damaged repository is not a usage error: \(result.output)", sourceLocation: sourceLocation)
        #expect(result.output.contains("unsafe path") && result.output.contains("refusing"),
                "the message does not say it refuses an unsafe path: \(result.output)", sourceLocation: sourceLocation)
    }

    // MARK: crafted manifests

    /// How a manifest line is made to point outside the target.
    enum ManifestEscape: String, CaseIterable, CustomTestStringConvertible {
        /// A file's path is `../../escape.txt`.
        case dotDotPath
        /// A file's path is absolute (`/…/abs-escape.txt`), as if the leading slash had not been stripped.
        case absolutePath
        /// A file's path starts inside the backed-up folder, then climbs out with `..`.
        case climbingPath
        /// A hard link's `link` names `../../../outside-secret.txt`, a file outside the target.
        case hardlinkTarget

        var testDescription: String { rawValue }
    }

    @Test("a manifest path or link pointing outside the target is refused", arguments: ManifestEscape.allCases)
    func craftedManifestIsRefused(_ escape: ManifestEscape) throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let id = try h.smallBackup()
        let target = try h.nestedTarget()
        let root = h.treeRoot
        // A file outside the target that a hard link inside it would expose to whatever gets restored.
        let secret = "\(h.root)/outside-secret.txt"
        try "secret\n".write(toFile: secret, atomically: false, encoding: .utf8)
        try h.rewriteManifest(id: id) { lines in
            switch escape {
            case .dotDotPath:
                try replace("path", "\(root)/b.txt", with: "../../escape.txt", in: &lines)
            case .absolutePath:
                try replace("path", "\(root)/b.txt", with: "\(h.root)/abs-escape.txt", in: &lines)
            case .climbingPath:
                let climb = String(repeating: "../", count: root.split(separator: "/").count + 2)
                try replace("path", "\(root)/b.txt", with: "\(root)/\(climb)escape.txt", in: &lines)
            case .hardlinkTarget:
                try replace("link", "\(root)/sub/a.txt", with: "../../../outside-secret.txt", in: &lines)
            }
        }

        let result = try h.lifeboat("restore", "app", "--target", target)
        expectRefused(result)
        h.expectNothingOutside(escapes: ["\(h.root)/deep/escape.txt", "\(h.root)/abs-escape.txt", "\(h.root)/escape.txt"])
        var st = stat()
        #expect(lstat(secret, &st) == 0 && st.st_nlink == 1, "the file outside the target gained a hard link (nlink \(st.st_nlink))")
        // verify --restore reads the same manifest: it must fail (exit 1) the same way.
        let verify = try h.lifeboat("verify", "app", "--restore")
        #expect(verify.status == 1, "verify --restore exited \(verify.status): \(verify.output)")
        #expect(verify.output.contains("unsafe path"), "verify --restore: \(verify.output)")
    }

    // MARK: crafted archives

    /// A tar member named `../evil` in a second data archive, referenced by a crafted manifest line.
    enum ArchiveEscape: String, CaseIterable, CustomTestStringConvertible {
        /// The manifest line names the member as it is: `../evil`.
        case manifestNamesMember
        /// The manifest line names a safe path inside the backed-up folder; the archive holds `../evil`.
        case manifestNamesSafePath

        var testDescription: String { rawValue }
    }

    @Test("a hand-made tar archive with a member ../evil is refused", arguments: ArchiveEscape.allCases)
    func craftedArchiveIsRefused(_ escape: ArchiveEscape) throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let id = try h.smallBackup()
        let target = try h.nestedTarget()
        let root = h.treeRoot
        try h.craftArchive(id: id, name: "data-9999.tar.zst", members: [.init(name: "../evil", content: "evil\n")])
        let listed = escape == .manifestNamesMember ? "../evil" : "\(root)/evil"
        try h.rewriteManifest(id: id) { lines in
            try CLIHarness.insertInTreeOrder(try CLIHarness.fileLine(path: listed, content: "evil\n", id: id, archive: "data-9999.tar.zst"), into: &lines)
        }

        let result = try h.lifeboat("restore", "app", "--target", target)
        #expect(result.status != 0, "the restore succeeded: \(result.output)")
        #expect(result.status != 2, "a damaged repository is not a usage error: \(result.output)")
        switch escape {
        case .manifestNamesMember:
            expectRefused(result)
        case .manifestNamesSafePath:
            // Entries are written under the manifest's path, never the archive's: the member does not match.
            #expect(result.output.contains("services/app/\(id)/data-9999.tar.zst"), "the message names the archive: \(result.output)")
        }
        h.expectNothingOutside(escapes: ["\(h.root)/deep/er/evil", "\(h.root)/deep/evil", "\(h.root)/evil", "\(target)/../evil"])
        let leaked = try h.run("/usr/bin/find", [h.root, "-name", "evil"]).stdout
        #expect(leaked.isEmpty, "a file named evil was written: \(leaked)")
    }

    // MARK: symlinks already in the target

    /// Where a symlink to a folder outside the target is planted before restoring over the target.
    enum PlantedLink: String, CaseIterable, CustomTestStringConvertible {
        /// `TARGET/<root>/logs` → outside folder.
        case folderInsideService
        /// `TARGET/<root>` itself → outside folder.
        case serviceFolder
        /// The first component of the target path (`TARGET/tmp`) → outside folder.
        case topOfTarget
        /// `TARGET/<root>/logs/api-00.log` → a file in the outside folder.
        case file

        var testDescription: String { rawValue }
    }

    @Test("restore --force does not write through a symlink planted in the target", arguments: PlantedLink.allCases)
    func forceRestoreDoesNotFollowPlantedSymlinks(_ planted: PlantedLink) throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try h.makeTestData(sizeMB: 1)
        let before = try TreeSnapshot(h.source)
        try h.ok("init")
        try h.ok("backup", "app")
        let target = "\(h.root)/out"
        let outside = "\(h.root)/outside"
        let fm = FileManager.default
        try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let restored = h.restored(in: target)
        let link: String
        let destination: String
        switch planted {
        case .folderInsideService:
            link = "\(restored)/logs"
            destination = outside
        case .serviceFolder:
            link = restored
            destination = outside
        case .topOfTarget:
            let first = try #require(h.source.split(separator: "/").first)
            link = "\(target)/\(first)"
            destination = outside
        case .file:
            link = "\(restored)/logs/api-00.log"
            destination = "\(outside)/api-00.log"
        }
        try fm.createDirectory(atPath: (link as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: link, withDestinationPath: destination)

        let result = try h.lifeboat("restore", "app", "--target", target, "--force")
        let written = try fm.contentsOfDirectory(atPath: outside)
        #expect(written.isEmpty, "the restore wrote through the symlink into \(outside): \(written)")
        if result.status == 0 {
            // Replacing the symlink is fine: the restored tree is then real and complete.
            var st = stat()
            #expect(lstat(link, &st) == 0 && (st.st_mode & S_IFMT) != S_IFLNK, "\(link) is still a symlink")
            #expect(before.differences(from: try TreeSnapshot(restored)) == [])
        } else {
            #expect(result.output.contains("error:") && result.output.contains("symlink"),
                    "a refusal must say why: \(result.output)")
        }
    }

    /// Where `--exact` meets a symlink to an outside folder holding a file that is not in the backup.
    enum ExactLink: String, CaseIterable, CustomTestStringConvertible {
        /// `TARGET/<root>/logs` → outside folder (with `precious.txt`).
        case folderInsideService
        /// The first component of the target path (`TARGET/tmp`) → an outside folder that mirrors the
        /// backed-up path and holds `precious.txt` in its copy of the service folder.
        case topOfTarget

        var testDescription: String { rawValue }
    }

    @Test("restore --exact never removes files outside the target through a symlink", arguments: ExactLink.allCases)
    func exactRestoreDoesNotDeleteThroughSymlinks(_ planted: ExactLink) throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try h.makeTestData(sizeMB: 1)
        try h.ok("init")
        try h.ok("backup", "app")
        let target = "\(h.root)/out"
        let outside = "\(h.root)/outside"
        let fm = FileManager.default
        let precious: String
        switch planted {
        case .folderInsideService:
            try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
            precious = "\(outside)/precious.txt"
            try fm.createDirectory(atPath: h.restored(in: target), withIntermediateDirectories: true)
            try fm.createSymbolicLink(atPath: "\(h.restored(in: target))/logs", withDestinationPath: outside)
        case .topOfTarget:
            let first = try #require(h.source.split(separator: "/").first)
            try fm.createDirectory(atPath: h.restored(in: outside), withIntermediateDirectories: true)
            precious = "\(h.restored(in: outside))/precious.txt"
            try fm.createDirectory(atPath: target, withIntermediateDirectories: true)
            try fm.createSymbolicLink(atPath: "\(target)/\(first)", withDestinationPath: "\(outside)/\(first)")
        }
        try "not in any backup\n".write(toFile: precious, atomically: false, encoding: .utf8)

        let result = try h.lifeboat("restore", "app", "--target", target, "--exact")
        #expect(fm.fileExists(atPath: precious), "restore --exact removed \(precious), outside the target: \(result.output)")
        if result.status != 0 {
            #expect(result.output.contains("error:"), "a refusal must say why: \(result.output)")
        }
    }
}
