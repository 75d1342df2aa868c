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
        if sparse { out.bool("sparse", true) }
        if inconsistent { out.bool("inconsistent", true) }
        if !xattrs.isEmpty {
            out.object("xattrs", xattrs.map { ($0.name, Data($0.value).base64EncodedString()) })
        }
        return out.finish()
    }

    /// Parses one manifest line; the error says which field is wrong.
    public init(jsonLine line: [UInt8]) throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            throw ManifestFormatError("not a JSON object")
        }
        let fields = JSONFields(object)
        guard let kind = Kind(rawValue: try fields.string("type")) else {
            throw ManifestFormatError("unknown type \(object["type"] ?? "")")
        }
        self.init(path: TreePath(bytes: try fields.bytes("path")), kind: kind)
        guard let mode = UInt32(try fields.string("mode"), radix: 8) else { throw ManifestFormatError("bad mode") }
        permissions = mode
        uid = UInt32(truncatingIfNeeded: try fields.int("uid"))
        gid = UInt32(truncatingIfNeeded: try fields.int("gid"))
        user = fields.optionalString("user")
        group = fields.optionalString("group")
        mtimeNs = try fields.int("mtime")
        ctimeNs = try fields.int("ctime")
        inode = UInt64(bitPattern: try fields.int("ino"))
        device = UInt64(bitPattern: try fields.int("dev"))
        size = kind == .file ? try fields.int("size") : 0
        sha256 = fields.optionalString("sha256")
        symlinkTarget = try fields.optionalBytes("target")
        hardlinkTarget = try fields.optionalBytes("link").map(TreePath.init(bytes:))
        ref = fields.optionalString("ref")
        archive = fields.optionalString("archive")
        sparse = object["sparse"] as? Bool ?? false
        inconsistent = object["inconsistent"] as? Bool ?? false
        if let map = object["xattrs"] as? [String: String] {
            xattrs = try map.keys.sorted().map { name in
                guard let value = Data(base64Encoded: map[name]!) else { throw ManifestFormatError("bad xattr \(name)") }
                return Xattr(name: name, value: Array(value))
            }
        }
        switch kind {
        case .file where sha256 == nil || ref == nil || archive == nil:
            throw ManifestFormatError("file \(path) lacks sha256, ref or archive")
        case .symlink where symlinkTarget == nil:
            throw ManifestFormatError("symlink \(path) lacks its target")
        case .hardlink where hardlinkTarget == nil:
            throw ManifestFormatError("hard link \(path) lacks its link")
        default: break
        }
    }
}

/// A manifest line that does not follow format v1.
struct ManifestFormatError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Typed access to the fields of one parsed JSON object.
struct JSONFields {
    let object: [String: Any]
    init(_ object: [String: Any]) { self.object = object }

    func string(_ key: String) throws -> String {
        guard let value = object[key] as? String else { throw ManifestFormatError("missing or non-string \(key)") }
        return value
    }

    func optionalString(_ key: String) -> String? { object[key] as? String }

    func int(_ key: String) throws -> Int64 {
        guard let number = object[key] as? NSNumber else { throw ManifestFormatError("missing or non-numeric \(key)") }
        return number.int64Value
    }

    /// A byte string written as `key` (UTF-8) or `key_b64` (base64).
    func bytes(_ key: String) throws -> [UInt8] {
        guard let value = try optionalBytes(key) else { throw ManifestFormatError("missing \(key)") }
        return value
    }

    func optionalBytes(_ key: String) throws -> [UInt8]? {
        if let text = object[key] as? String { return Array(text.utf8) }
        if let encoded = object[key + "_b64"] as? String {
            guard let data = Data(base64Encoded: encoded) else { throw ManifestFormatError("bad base64 in \(key)_b64") }
            return Array(data)
        }
        return nil
    }
}

/// Builds one compact JSON object on a single line, in a fixed key order.
struct JSONLineWriter {
    private var out: [UInt8] = [UInt8(ascii: "{")]
    private var first = true

    private mutating func key(_ name: String) {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        appendQuoted(name)
        out.append(UInt8(ascii: ":"))
    }

    mutating func string(_ name: String, _ value: String) {
        key(name)
        appendQuoted(value)
    }

    mutating func bytes(_ name: String, _ value: [UInt8]) {
        if let text = String(validating: value, as: UTF8.self) {
            string(name, text)
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

    mutating func object(_ name: String, _ pairs: [(String, String)]) {
        key(name)
        out.append(UInt8(ascii: "{"))
        for (index, pair) in pairs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendQuoted(pair.0)
            out.append(UInt8(ascii: ":"))
            appendQuoted(pair.1)
        }
        out.append(UInt8(ascii: "}"))
    }

    mutating func finish() -> [UInt8] {
        out.append(UInt8(ascii: "}"))
        return out
    }

    private mutating func appendQuoted(_ text: String) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
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
