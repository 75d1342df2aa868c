import Foundation
import LifeboatKit
import LifeboatNative
import Testing

@Suite("Manifest lines")
struct ManifestEntryTests {
    private func status(size: Int64 = 12) -> FileStatus {
        var st = stat()
        st.st_mode = 0o100640
        st.st_size = Int(size)
        st.st_uid = 1000
        st.st_gid = 1001
        st.st_mtim = timespec(tv_sec: 1_700_000_000, tv_nsec: 123_456_789)
        st.st_ctim = timespec(tv_sec: 1_700_000_001, tv_nsec: 5)
        st.st_ino = 42
        st.st_dev = 7
        return FileStatus(st)
    }

    @Test("a file entry round-trips through its JSON line, xattrs and flags included")
    func fileRoundTrip() throws {
        var entry = ManifestEntry(path: TreePath(bytes: Array("srv/app/a \"quoted\"\nname.txt".utf8)), kind: .file, status: status())
        entry.sha256 = String(repeating: "ab", count: 32)
        entry.ref = "20261125T073012.123Z-1a2b"
        entry.archive = "data-0001.tar.zst"
        entry.user = "app"
        entry.sparse = true
        entry.inconsistent = true
        entry.xattrs = [Xattr(name: "user.a", value: [0, 1, 255])]
        let line = entry.jsonLine()
        #expect(!line.contains(UInt8(ascii: "\n")))
        #expect(try ManifestEntry(jsonLine: line) == entry)
        #expect(String(decoding: line, as: UTF8.self).contains(#""mode":"0640""#))
    }

    @Test("names and link targets that are not UTF-8 are kept as raw bytes (base64)")
    func binaryNames() throws {
        var entry = ManifestEntry(path: TreePath(bytes: Array("srv/caf".utf8) + [0xE9]), kind: .symlink, status: status(size: 0))
        entry.symlinkTarget = [0xFF, 0x2F, 0x61]
        let line = entry.jsonLine()
        #expect(String(decoding: line, as: UTF8.self).contains("path_b64"))
        #expect(String(decoding: line, as: UTF8.self).contains("target_b64"))
        #expect(try ManifestEntry(jsonLine: line) == entry)
    }

    @Test("a file line without its content reference is rejected")
    func incompleteFile() {
        let line = Array(#"{"path":"a","type":"file","mode":"0644","uid":0,"gid":0,"mtime":1,"ctime":1,"ino":1,"dev":1,"size":3}"#.utf8)
        #expect(throws: (any Error).self) { try ManifestEntry(jsonLine: line) }
    }

    private func grownEntry() -> ManifestEntry {
        var entry = ManifestEntry(path: TreePath(bytes: Array("srv/app/logs/api.log".utf8)), kind: .file, status: status(size: 300))
        entry.sha256 = String(repeating: "ab", count: 32)
        entry.ref = "20261125T073012.123Z-1a2b"
        entry.archive = "data-0002.tar.zst"
        entry.baseSHA256 = String(repeating: "cd", count: 32)
        entry.tails = [
            ContentPiece(ref: "20261126T073012.123Z-3c4d", archive: "tail-0001.tar.zst", offset: 200, size: 60, sha256: String(repeating: "01", count: 32)),
            ContentPiece(ref: "20261127T073012.123Z-5e6f", archive: "tail-0002.tar.zst", offset: 260, size: 40, sha256: String(repeating: "02", count: 32)),
        ]
        return entry
    }

    @Test("a grown file's base and tails round-trip, and its pieces tile the file in offset order")
    func grownRoundTrip() throws {
        let entry = grownEntry()
        let line = entry.jsonLine()
        #expect(String(decoding: line, as: UTF8.self).contains(#""tails":[{"ref":"20261126T073012.123Z-3c4d","archive":"tail-0001.tar.zst","offset":200,"size":60,"sha256":"#))
        let parsed = try ManifestEntry(jsonLine: line)
        #expect(parsed == entry)
        #expect(parsed.pieces.map(\.offset) == [0, 200, 260])
        #expect(parsed.pieces.map(\.size) == [200, 60, 40])
        #expect(parsed.pieces[0].sha256 == entry.baseSHA256 && parsed.pieces[0].archive == "data-0002.tar.zst")
    }

    @Test("tails that leave a gap, overlap, end short of the size, or lack the base's SHA-256 are rejected", arguments: [
        "gap", "overlap", "short", "nobase", "sparse",
    ])
    func badTails(_ damage: String) throws {
        var entry = grownEntry()
        switch damage {
        case "gap": entry.tails[1].offset = 270
        case "overlap": entry.tails[1].offset = 250
        case "short": entry.size = 310
        case "nobase": entry.baseSHA256 = nil
        default: entry.sparse = true
        }
        let line = entry.jsonLine()
        #expect(throws: (any Error).self, "\(damage) was accepted") { try ManifestEntry(jsonLine: line) }
    }

    @Test("values nested deeper than a manifest line's shape are refused, not recursed into")
    func deepNesting() {
        let line = Array(#"{"path":"a","type":"file","tails":[[[[1]]]]}"#.utf8)
        #expect(throws: (any Error).self) { try ManifestEntry(jsonLine: line) }
        let objectInObject = Array(#"{"path":"a","type":"dir","xattrs":{"a":{"b":"c"}}}"#.utf8)
        #expect(throws: (any Error).self) { try ManifestEntry(jsonLine: objectInObject) }
    }
}
