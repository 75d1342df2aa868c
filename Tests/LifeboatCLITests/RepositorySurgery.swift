import Foundation
import Glibc
import LifeboatKit
import LifeboatNative
import Testing

/// Editing a repository as someone with write access to it could (another host, a bucket someone else
/// can write), keeping every size and SHA-256 in `backup.json` consistent, so that only the restore's
/// own checks can stop what the edit smuggles in. Shared by `PathSafetyTests` and `HostileArchiveTests`.
extension CLIHarness {
    /// The tree path of the backed-up folder (`/tmp/x/srv/app` → `tmp/x/srv/app`).
    var treeRoot: String { String(source.drop { $0 == "/" }) }

    /// A small tree (two files, a hard link, a folder) and one full backup of it; returns the backup id.
    func smallBackup() throws -> String {
        try FileManager.default.createDirectory(atPath: "\(source)/sub", withIntermediateDirectories: true)
        try "hello\n".write(toFile: "\(source)/sub/a.txt", atomically: false, encoding: .utf8)
        try "other\n".write(toFile: "\(source)/b.txt", atomically: false, encoding: .utf8)
        try shell("ln '\(source)/sub/a.txt' '\(source)/sub/hardlink.txt'")
        try ok("init")
        try ok("backup", "app")
        return try #require(try backupIDs().first)
    }

    /// Rewrites the lines of backup `id`'s manifest (`zstd -dc`, edit, `zstd`) and fixes its size and
    /// SHA-256 in `backup.json`. `lines[0]` is the header.
    func rewriteManifest(id: String, _ edit: (inout [String]) throws -> Void) throws {
        let folder = backupFolder(id)
        let plain = "\(root)/manifest-edit.jsonl"
        try shell("zstd -q -dc '\(folder)/manifest.json.zst' > '\(plain)'")
        var lines = try String(contentsOfFile: plain, encoding: .utf8).split(separator: "\n").map(String.init)
        try edit(&lines)
        try (lines.joined(separator: "\n") + "\n").write(toFile: plain, atomically: false, encoding: .utf8)
        try shell("zstd -q -f '\(plain)' -o '\(folder)/manifest.json.zst'")
        try recordObject(id: id, name: "manifest.json.zst")
    }

    /// Sets (or adds) object `name` in backup `id`'s `backup.json` with its current size and SHA-256.
    func recordObject(id: String, name: String) throws {
        let path = "\(backupFolder(id))/\(name)"
        let sum = try shell("sha256sum '\(path)'").stdout.split(separator: " ").first.map(String.init)
        let sha256 = try #require(sum)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).int64Value
        let recordPath = "\(backupFolder(id))/backup.json"
        var record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: recordPath))) as? [String: Any])
        var objects = record["objects"] as? [[String: Any]] ?? []
        objects.removeAll { $0["name"] as? String == name }
        objects.append(["name": name, "size": NSNumber(value: size), "sha256": sha256])
        record["objects"] = objects
        try JSONSerialization.data(withJSONObject: record, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            .write(to: URL(fileURLWithPath: recordPath))
    }

    /// A manifest line of `type` for `path` with these extra fields (the common ones are filled in).
    static func manifestLine(path: String, type: String, _ fields: [String: Any] = [:]) throws -> String {
        var object: [String: Any] = ["path": path, "type": type, "mode": type == "symlink" ? "0777" : "0644",
                                     "uid": Int(getuid()), "gid": Int(getgid()), "mtime": 1_700_000_000_000_000_000,
                                     "ctime": 1_700_000_000_000_000_000, "ino": 1, "dev": 1]
        object.merge(fields) { _, new in new }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// A manifest line for a regular file of `size` bytes (the content's by default) whose content is
    /// in `archive` of backup `id`.
    static func fileLine(path: String, content: String, id: String, archive: String, size: Int? = nil) throws -> String {
        let sha256 = SHA256Hasher.digest(Array(content.utf8)).hex
        return try manifestLine(path: path, type: "file", ["size": size ?? content.utf8.count, "sha256": sha256, "ref": id, "archive": archive])
    }

    /// Inserts `line` where tree order puts it, as `backup` would have written it (the header stays first).
    static func insertInTreeOrder(_ line: String, into lines: inout [String]) throws {
        func path(_ line: String) throws -> [UInt8] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if let text = object["path"] as? String { return Array(text.utf8) }
            return Array(try #require(Data(base64Encoded: object["path_b64"] as? String ?? "")))
        }
        let key = try path(line)
        let index = try lines.indices.dropFirst().first { TreePath.compare(try path(lines[$0]), key) > 0 } ?? lines.endIndex
        lines.insert(line, at: index)
    }

    /// One member of a hand-made tar archive.
    struct TarMember: Encodable {
        /// `file`, `dir`, `symlink`, `hardlink`, `char`, `block` or `fifo`.
        var type = "file"
        var name: String
        var content = ""
        var link = ""
        /// The size the header claims, when not the content's.
        var size: Int?
        /// A pax sparse member of this logical size, whose one data block is the content.
        var sparse: Int?
    }

    /// Writes object `name` of backup `id`: a pax tar made by Python's tarfile, zstd-compressed, with
    /// headers exactly as given (a member whose header claims more than its content swallows what follows).
    func craftArchive(id: String, name: String, members: [TarMember]) throws {
        let script = """
        import json, sys, tarfile
        out, members = sys.argv[1], json.loads(sys.argv[2])
        types = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
                 "char": tarfile.CHRTYPE, "block": tarfile.BLKTYPE, "fifo": tarfile.FIFOTYPE}
        with open(out, "wb") as f:
            for m in members:
                info, data = tarfile.TarInfo(m["name"]), m["content"].encode()
                info.type, info.mtime, info.linkname = types[m["type"]], 1700000000, m["link"]
                info.mode = 0o755 if m["type"] == "dir" else 0o644
                info.size = m.get("size", len(data)) if m["type"] == "file" else 0
                if m["type"] in ("char", "block"):
                    info.devmajor, info.devminor = (1, 3) if m["type"] == "char" else (8, 0)
                if "sparse" in m:
                    info.pax_headers = {"GNU.sparse.size": str(m["sparse"]), "GNU.sparse.numblocks": "1",
                                        "GNU.sparse.map": "0,%d" % len(data)}
                f.write(info.tobuf(tarfile.PAX_FORMAT))
                if m["type"] == "file":
                    f.write(data + b"\\0" * (-len(data) % 512))
            f.write(b"\\0" * 1024)
        """
        let tar = "\(root)/crafted.tar"
        let json = String(decoding: try JSONEncoder().encode(members), as: UTF8.self)
        let made = try run("python3", ["-c", script, tar, json])
        try #require(made.status == 0, "python3 tarfile failed: \(made.output)")
        try shell("zstd -q -f '\(tar)' -o '\(backupFolder(id))/\(name)'")
        try recordObject(id: id, name: name)
    }

    /// A restore target two folders down (`root/deep/er/out`), so that `../../x` from it still lands
    /// inside the test's own folder; its parent exists beforehand, empty.
    func nestedTarget() throws -> String {
        try FileManager.default.createDirectory(atPath: "\(root)/deep/er", withIntermediateDirectories: true)
        return "\(root)/deep/er/out"
    }

    /// Records an issue if anything appeared next to the nested target or above it, or if any of
    /// `escapes` exists.
    func expectNothingOutside(escapes: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let fm = FileManager.default
        let parent = (try? fm.contentsOfDirectory(atPath: "\(root)/deep/er")) ?? []
        #expect(Set(parent).isSubset(of: ["out"]), "next to the target: \(parent)", sourceLocation: sourceLocation)
        let above = (try? fm.contentsOfDirectory(atPath: "\(root)/deep")) ?? []
        #expect(above == ["er"], "above the target: \(above)", sourceLocation: sourceLocation)
        for path in escapes {
            var st = stat()
            #expect(lstat(path, &st) != 0, "\(path) was created outside the target", sourceLocation: sourceLocation)
        }
    }
}
