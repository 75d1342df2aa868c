import Foundation
import LifeboatNative

/// The JSON form of a manifest line. Byte strings that are valid UTF-8 are written as strings
/// (`path`, `target`, `link`); others as base64 under a `_b64` key, so any name round-trips.
extension ManifestEntry {
    public func jsonLine() -> [UInt8] {
        var out = JSONLineWriter()
        out.bytes("path", path.bytes)
        out.string("type", kind.rawValue)
        out.string("mode", "0" + String(permissions, radix: 8))
        out.int("uid", Int64(uid))
        out.int("gid", Int64(gid))
        if let user { out.string("user", user) }
        if let group { out.string("group", group) }
        out.int("mtime", mtimeNs)
        out.int("ctime", ctimeNs)
        out.int("ino", Int64(bitPattern: inode))
        out.int("dev", Int64(bitPattern: device))
        if kind == .file { out.int("size", size) }
        if let sha256 { out.string("sha256", sha256) }
        if let symlinkTarget { out.bytes("target", symlinkTarget) }
        if let hardlinkTarget { out.bytes("link", hardlinkTarget.bytes) }
        if let ref { out.string("ref", ref) }
        if let archive { out.string("archive", archive) }
        if let baseSHA256 { out.string("base_sha256", baseSHA256) }
        if !tails.isEmpty {
            out.objects("tails", tails.map { tail in
                var piece = JSONLineWriter()
                piece.string("ref", tail.ref)
                piece.string("archive", tail.archive)
                piece.int("offset", tail.offset)
                piece.int("size", tail.size)
                piece.string("sha256", tail.sha256)
                return piece.finish()
            })
        }
        if sparse { out.bool("sparse", true) }
        if inconsistent { out.bool("inconsistent", true) }
        if !xattrs.isEmpty {
            out.object("xattrs", xattrs.map { ($0.name, Data($0.value).base64EncodedString()) })
        }
        return out.finish()
    }

    /// Parses one manifest line; the error says which field is wrong. Unknown keys are ignored, so a
    /// later format version may add fields that this reader passes over.
    public init(jsonLine line: [UInt8]) throws {
        self.init(path: TreePath(bytes: []), kind: .file)
        var kindName: [UInt8]?, mode: [UInt8]?, pathBytes: [UInt8]?, pathB64: [UInt8]?
        var targetB64: [UInt8]?, linkB64: [UInt8]?, linkBytes: [UInt8]?
        var seen = Set<String>()
        try FlatJSONParser.parse(line) { key, value in
            seen.insert(key)
            switch (key, value) {
            case ("path", .string(let v)): pathBytes = v
            case ("path_b64", .string(let v)): pathB64 = v
            case ("type", .string(let v)): kindName = v
            case ("mode", .string(let v)): mode = v
            case ("uid", .int(let v)): uid = UInt32(truncatingIfNeeded: v)
            case ("gid", .int(let v)): gid = UInt32(truncatingIfNeeded: v)
            case ("user", .string(let v)): user = String(decoding: v, as: UTF8.self)
            case ("group", .string(let v)): group = String(decoding: v, as: UTF8.self)
            case ("mtime", .int(let v)): mtimeNs = v
            case ("ctime", .int(let v)): ctimeNs = v
            case ("ino", .int(let v)): inode = UInt64(bitPattern: v)
            case ("dev", .int(let v)): device = UInt64(bitPattern: v)
            case ("size", .int(let v)): size = v
            case ("sha256", .string(let v)): sha256 = String(decoding: v, as: UTF8.self)
            case ("target", .string(let v)): symlinkTarget = v
            case ("target_b64", .string(let v)): targetB64 = v
            case ("link", .string(let v)): linkBytes = v
            case ("link_b64", .string(let v)): linkB64 = v
            case ("ref", .string(let v)): ref = String(decoding: v, as: UTF8.self)
            case ("archive", .string(let v)): archive = String(decoding: v, as: UTF8.self)
            case ("base_sha256", .string(let v)): baseSHA256 = String(decoding: v, as: UTF8.self)
            case ("tails", .array(let items)): tails = try items.map(ContentPiece.init(json:))
            case ("sparse", .bool(let v)): sparse = v
            case ("inconsistent", .bool(let v)): inconsistent = v
            case ("xattrs", .object(let pairs)):
                xattrs = try pairs.sorted { $0.0 < $1.0 }.map { name, value in
                    guard case .string(let encoded) = value, let value = Data(base64Encoded: Data(encoded)) else {
                        throw ManifestFormatError("bad xattr \(name)")
                    }
                    return Xattr(name: name, value: Array(value))
                }
            case ("path", _), ("path_b64", _), ("type", _), ("mode", _), ("uid", _), ("gid", _), ("mtime", _), ("ctime", _),
                 ("ino", _), ("dev", _), ("size", _), ("sha256", _), ("target", _), ("link", _), ("ref", _), ("archive", _),
                 ("base_sha256", _), ("tails", _), ("xattrs", _):
                throw ManifestFormatError("\(key) has the wrong type")
            default:
                break  // a field of a later version
            }
        }
        func decoded(_ base64: [UInt8]?, _ key: String) throws -> [UInt8]? {
            guard let base64 else { return nil }
            guard let data = Data(base64Encoded: Data(base64)) else { throw ManifestFormatError("bad base64 in \(key)") }
            return Array(data)
        }
        guard let kindName, let kind = Kind(rawValue: String(decoding: kindName, as: UTF8.self)) else {
            throw ManifestFormatError("missing or unknown type")
        }
        self.kind = kind
        guard let path = try pathBytes ?? decoded(pathB64, "path_b64") else { throw ManifestFormatError("missing path") }
        self.path = TreePath(bytes: path)
        guard let mode, let permissions = UInt32(String(decoding: mode, as: UTF8.self), radix: 8) else {
            throw ManifestFormatError("missing or bad mode")
        }
        self.permissions = permissions
        for key in ["uid", "gid", "mtime", "ctime", "ino", "dev"] where !seen.contains(key) {
            throw ManifestFormatError("missing \(key)")
        }
        if kind == .file && !seen.contains("size") { throw ManifestFormatError("missing size") }
        if kind != .file { size = 0 }
        symlinkTarget = try symlinkTarget ?? decoded(targetB64, "target_b64")
        hardlinkTarget = try (linkBytes ?? decoded(linkB64, "link_b64")).map(TreePath.init(bytes:))
        switch kind {
        case .file where sha256 == nil || ref == nil || archive == nil:
            throw ManifestFormatError("file \(self.path) lacks sha256, ref or archive")
        case .file where !tails.isEmpty:
            // The pieces must tile the file exactly: a restore writes each at its offset.
            var end = tails[0].offset
            guard baseSHA256 != nil, end > 0, !sparse else {
                throw ManifestFormatError("file \(self.path) has tails but no base_sha256, an empty base, or holes")
            }
            for tail in tails {
                guard tail.offset == end, tail.size > 0 else { throw ManifestFormatError("file \(self.path): its tails leave a gap or overlap at \(tail.offset)") }
                end += tail.size
            }
            guard end == size else { throw ManifestFormatError("file \(self.path): its tails end at \(end), its size is \(size)") }
        case .symlink where symlinkTarget == nil:
            throw ManifestFormatError("symlink \(self.path) lacks its target")
        case .hardlink where hardlinkTarget == nil:
            throw ManifestFormatError("hard link \(self.path) lacks its link")
        default: break
        }
    }
}

extension ContentPiece {
    /// One element of a manifest line's `tails`.
    init(json: FlatJSONValue) throws {
        guard case .object(let pairs) = json else { throw ManifestFormatError("a tail is not an object") }
        var ref: String?, archive: String?, offset: Int64?, size: Int64?, sha256: String?
        for (key, value) in pairs {
            switch (key, value) {
            case ("ref", .string(let v)): ref = String(decoding: v, as: UTF8.self)
            case ("archive", .string(let v)): archive = String(decoding: v, as: UTF8.self)
            case ("offset", .int(let v)): offset = v
            case ("size", .int(let v)): size = v
            case ("sha256", .string(let v)): sha256 = String(decoding: v, as: UTF8.self)
            default: break
            }
        }
        guard let ref, let archive, let offset, let size, let sha256 else {
            throw ManifestFormatError("a tail lacks ref, archive, offset, size or sha256")
        }
        self.init(ref: ref, archive: archive, offset: offset, size: size, sha256: sha256)
    }
}

/// A manifest line that does not follow format v1.
struct ManifestFormatError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Builds one compact JSON object on a single line, in a fixed key order.
struct JSONLineWriter {
    private var out: [UInt8] = [UInt8(ascii: "{")]
    private var first = true

    private mutating func key(_ name: String) {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        appendQuoted(name.utf8)
        out.append(UInt8(ascii: ":"))
    }

    mutating func string(_ name: String, _ value: String) {
        key(name)
        appendQuoted(value.utf8)
    }

    /// A byte string: as a JSON string when it is valid UTF-8, else base64 under `name_b64`.
    mutating func bytes(_ name: String, _ value: [UInt8]) {
        if !value.contains(where: { $0 >= 0x80 }) || String(validating: value, as: UTF8.self) != nil {
            key(name)
            appendQuoted(value)
        } else {
            string(name + "_b64", Data(value).base64EncodedString())
        }
    }

    mutating func int(_ name: String, _ value: Int64) {
        key(name)
        out.append(contentsOf: String(value).utf8)
    }

    mutating func bool(_ name: String, _ value: Bool) {
        key(name)
        out.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// An array of objects, each already written by its own `JSONLineWriter`.
    mutating func objects(_ name: String, _ objects: [[UInt8]]) {
        key(name)
        out.append(UInt8(ascii: "["))
        for (index, object) in objects.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: object)
        }
        out.append(UInt8(ascii: "]"))
    }

    mutating func object(_ name: String, _ pairs: [(String, String)]) {
        key(name)
        out.append(UInt8(ascii: "{"))
        for (index, pair) in pairs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendQuoted(pair.0.utf8)
            out.append(UInt8(ascii: ":"))
            appendQuoted(pair.1.utf8)
        }
        out.append(UInt8(ascii: "}"))
    }

    mutating func finish() -> [UInt8] {
        out.append(UInt8(ascii: "}"))
        return out
    }

    private mutating func appendQuoted(_ text: some Collection<UInt8>) {
        out.append(UInt8(ascii: "\""))
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
