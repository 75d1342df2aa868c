import Foundation
@testable import LifeboatKit
import LifeboatNative

/// A data archive and the manifest that joins it, described as text, so that a mutated description
/// still gives a well-formed tar (headers and checksums right) with odd names, types and sizes — the
/// restore fuzz target's input. One member per line, fields separated by spaces:
///
///     root srv/app                  a backed-up root (default: srv/app)
///     dir srv/app/conf
///     file srv/app/a.txt hello      a regular file and its content (none: empty)
///     file srv/app/big x size=N     the header claims N bytes; the following members are read as its data
///     file srv/app/s x sparse=N     a pax sparse member of logical size N whose one data block is "x"
///     symlink srv/app/l ../x
///     hardlink srv/app/h srv/app/a.txt
///     char srv/app/c, block srv/app/b, fifo srv/app/f
///
/// A line starting `archive:` puts the member in the archive only, `manifest:` in the manifest only. The
/// manifest lists members in the order written (not necessarily tree order); a device or FIFO is listed
/// as the regular file a hostile archive would pretend it is. Fields take the escapes `\s` (space), `\n`,
/// `\t`, `\\` and `\xHH`, and `$OUTSIDE` stands for a folder outside the restore target.
struct ArchiveSpec {
    enum Kind: String {
        case dir, file, symlink, hardlink, char, block, fifo
    }

    struct Member {
        var kind: Kind
        var path: [UInt8]
        /// The content, or a link's target.
        var value: [UInt8]
        var claimedSize: Int64?
        var sparseSize: Int64?
        var inArchive = true
        var inManifest = true
    }

    var roots: [[UInt8]] = []
    var members: [Member] = []

    init(_ text: [UInt8], outside: [UInt8]) {
        for line in text.split(separator: UInt8(ascii: "\n")) where line.first != UInt8(ascii: "#") {
            var fields = line.split(separator: UInt8(ascii: " ")).map { Self.unescape(Array($0), outside: outside) }
            var (inArchive, inManifest) = (true, true)
            if fields.first == Array("archive:".utf8) { inManifest = false; fields.removeFirst() }
            else if fields.first == Array("manifest:".utf8) { inArchive = false; fields.removeFirst() }
            guard fields.count >= 2, let name = String(validating: fields[0], as: UTF8.self) else { continue }
            if name == "root" {
                roots.append(fields[1])
                continue
            }
            guard let kind = Kind(rawValue: name), members.count < 64 else { continue }
            var member = Member(kind: kind, path: fields[1], value: fields.count > 2 ? fields[2] : [],
                                inArchive: inArchive, inManifest: inManifest)
            for option in fields.dropFirst(3) {
                let text = String(decoding: option, as: UTF8.self)
                if text.hasPrefix("size=") { member.claimedSize = Int64(text.dropFirst(5)).map { max(0, $0) } }
                if text.hasPrefix("sparse=") { member.sparseSize = Int64(text.dropFirst(7)).map { max(0, $0) } }
            }
            members.append(member)
        }
        if roots.isEmpty { roots = [Array("srv/app".utf8)] }
    }

    private static func unescape(_ field: [UInt8], outside: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < field.count {
            if field[i] == UInt8(ascii: "$"), field[i...].starts(with: "$OUTSIDE".utf8) {
                out += outside
                i += 8
                continue
            }
            guard field[i] == UInt8(ascii: "\\"), i + 1 < field.count else {
                out.append(field[i])
                i += 1
                continue
            }
            switch field[i + 1] {
            case UInt8(ascii: "s"): out.append(UInt8(ascii: " "))
            case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
            case UInt8(ascii: "x") where i + 3 < field.count:
                if let byte = UInt8(String(decoding: field[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) {
                    out.append(byte)
                    i += 4
                    continue
                }
                out.append(field[i + 1])
            default: out.append(field[i + 1])
            }
            i += 2
        }
        return out
    }

    // MARK: the manifest

    /// The manifest entries, in the order written: what `backup` would have recorded for these members.
    func manifestEntries(backup: String, archive: String) -> [ManifestEntry] {
        members.filter(\.inManifest).map { member in
            var entry: ManifestEntry
            switch member.kind {
            case .dir:
                entry = ManifestEntry(path: TreePath(bytes: member.path), kind: .directory)
                entry.permissions = 0o755
            case .symlink:
                entry = ManifestEntry(path: TreePath(bytes: member.path), kind: .symlink)
                entry.permissions = 0o777
                entry.symlinkTarget = member.value
            case .hardlink:
                entry = ManifestEntry(path: TreePath(bytes: member.path), kind: .hardlink)
                entry.permissions = 0o644
                entry.hardlinkTarget = TreePath(bytes: member.value)
            case .file, .char, .block, .fifo:
                let content = member.kind == .file ? member.value : []
                entry = ManifestEntry(path: TreePath(bytes: member.path), kind: .file)
                entry.permissions = 0o644
                entry.size = Int64(content.count)
                entry.sha256 = SHA256Hasher.digest(content).hex
                entry.ref = backup
                entry.archive = archive
            }
            entry.mtimeNs = 1_700_000_000_000_000_000
            return entry
        }
    }

    // MARK: the tar archive

    /// A pax/ustar archive of the members (not compressed: the reader detects that).
    func tar() -> [UInt8] {
        var out: [UInt8] = []
        for member in members where member.inArchive {
            let content = member.kind == .file ? member.value : []
            var records: [(String, [UInt8])] = []
            if member.path.count > 100 { records.append(("path", member.path)) }
            if (member.kind == .symlink || member.kind == .hardlink) && member.value.count > 100 { records.append(("linkpath", member.value)) }
            let size = member.claimedSize ?? Int64(content.count)
            if size >= 0o77777777777 { records.append(("size", Array(String(size).utf8))) }
            if let sparse = member.sparseSize, member.kind == .file {
                records += [("GNU.sparse.size", Array(String(sparse).utf8)), ("GNU.sparse.numblocks", Array("1".utf8)),
                            ("GNU.sparse.map", Array("0,\(content.count)".utf8))]
            }
            if !records.isEmpty {
                let data = records.flatMap { Self.paxRecord($0.0, $0.1) }
                out += Self.header(name: Array("PaxHeader/member".utf8), type: UInt8(ascii: "x"), size: Int64(data.count), link: [])
                out += Self.padded(data)
            }
            let type: UInt8 = switch member.kind {
            case .dir: UInt8(ascii: "5")
            case .file: UInt8(ascii: "0")
            case .symlink: UInt8(ascii: "2")
            case .hardlink: UInt8(ascii: "1")
            case .char: UInt8(ascii: "3")
            case .block: UInt8(ascii: "4")
            case .fifo: UInt8(ascii: "6")
            }
            let link = member.kind == .symlink || member.kind == .hardlink ? member.value : []
            out += Self.header(name: member.path, type: type, size: size < 0o77777777777 ? size : 0, link: link,
                               mode: member.kind == .dir ? 0o755 : 0o644, device: member.kind == .char ? (1, 3) : (8, 0))
            out += Self.padded(content)
        }
        return out + [UInt8](repeating: 0, count: 1024)
    }

    private static func padded(_ data: [UInt8]) -> [UInt8] {
        data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }

    /// `"<length> key=value\n"`, the length counting its own digits.
    private static func paxRecord(_ key: String, _ value: [UInt8]) -> [UInt8] {
        let base = key.utf8.count + value.count + 3  // space, "=", newline
        var length = base + 1
        while String(length).count + base != length { length = String(length).count + base }
        return Array("\(length) \(key)=".utf8) + value + [UInt8(ascii: "\n")]
    }

    private static func header(name: [UInt8], type: UInt8, size: Int64, link: [UInt8], mode: Int = 0o644,
                               device: (major: Int, minor: Int) = (0, 0)) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ bytes: some Collection<UInt8>, at offset: Int, width: Int) {
            for (i, byte) in bytes.prefix(width).enumerated() { block[offset + i] = byte }
        }
        func octal(_ value: Int64, at offset: Int, width: Int) {
            let digits = String(value, radix: 8)
            put(Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8), at: offset, width: width - 1)
        }
        put(name, at: 0, width: 100)
        octal(Int64(mode), at: 100, width: 8)
        octal(0, at: 108, width: 8)
        octal(0, at: 116, width: 8)
        octal(size, at: 124, width: 12)
        octal(1_700_000_000, at: 136, width: 12)
        block[156] = type
        put(link, at: 157, width: 100)
        put("ustar\0".utf8, at: 257, width: 6)
        put("00".utf8, at: 263, width: 2)
        put("root".utf8, at: 265, width: 32)
        put("root".utf8, at: 297, width: 32)
        octal(Int64(device.major), at: 329, width: 8)
        octal(Int64(device.minor), at: 337, width: 8)
        put([UInt8](repeating: UInt8(ascii: " "), count: 8), at: 148, width: 8)
        let sum = block.reduce(0) { $0 + Int64($1) }
        octal(sum, at: 148, width: 7)
        block[154] = 0
        return block
    }
}
