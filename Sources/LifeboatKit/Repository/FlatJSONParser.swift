/// A value of a flat JSON object as manifests use it.
enum FlatJSONValue {
    /// A string, unescaped, as UTF-8 bytes.
    case string([UInt8])
    case int(Int64)
    case bool(Bool)
    case null
    /// An object whose values are strings, integers, booleans or null (xattrs: name → base64).
    case object([(String, FlatJSONValue)])
    /// An array of such values or objects (a file's appended pieces).
    case array([FlatJSONValue])
}

/// Parses one JSON object whose values are strings, integers, booleans, null, objects of those, or
/// arrays of those and of such objects — the shape of a manifest line; nothing nests deeper — without
/// building Foundation objects: reading manifests is on the path of every incremental backup and every
/// restore, and `JSONSerialization` was most of their time.
struct FlatJSONParser {
    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Calls `field` for each key and value, in the order written.
    static func parse(_ line: [UInt8], _ field: (String, FlatJSONValue) throws -> Void) throws {
        var parser = FlatJSONParser(line)
        try parser.beginObject()
        while let key = try parser.nextKey() {
            try field(key, try parser.value())
        }
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw ManifestFormatError("text after the JSON object") }
    }

    private var first = true

    private mutating func beginObject() throws {
        skipSpace()
        try expect(UInt8(ascii: "{"))
        first = true
    }

    /// The next member's key (the value follows), or nil after the closing brace.
    private mutating func nextKey() throws -> String? {
        skipSpace()
        if first {
            first = false
            if peek() == UInt8(ascii: "}") {
                index += 1
                return nil
            }
        } else {
            let next = try take()
            if next == UInt8(ascii: "}") { return nil }
            guard next == UInt8(ascii: ",") else { throw ManifestFormatError("expected , or } at byte \(index - 1)") }
            skipSpace()
        }
        let key = String(decoding: try string(), as: UTF8.self)
        skipSpace()
        try expect(UInt8(ascii: ":"))
        skipSpace()
        return key
    }

    /// - Parameter depth: 0 for a member of the line's object, 1 inside an array, 2 inside a nested object.
    private mutating func value(depth: Int = 0) throws -> FlatJSONValue {
        guard let first = peek() else { throw ManifestFormatError("the line ends too early") }
        switch first {
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .int(try integer())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "{") where depth < 2:
            var pairs: [(String, FlatJSONValue)] = []
            try beginObject()
            while let key = try nextKey() {
                pairs.append((key, try value(depth: 2)))
            }
            return .object(pairs)
        case UInt8(ascii: "[") where depth < 1:
            index += 1
            var items: [FlatJSONValue] = []
            skipSpace()
            if peek() == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                skipSpace()
                items.append(try value(depth: 1))
                skipSpace()
                let next = try take()
                if next == UInt8(ascii: "]") { return .array(items) }
                guard next == UInt8(ascii: ",") else { throw ManifestFormatError("expected , or ] at byte \(index - 1)") }
            }
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            // Bounded before parsing: unbounded nesting would recurse as deep as the line is long.
            throw ManifestFormatError("a value nests too deep at byte \(index)")
        default:
            throw ManifestFormatError("unexpected value at byte \(index)")
        }
    }

    private mutating func string() throws -> [UInt8] {
        try expect(UInt8(ascii: "\""))
        var out: [UInt8] = []
        while true {
            let start = index
            while index < bytes.count && bytes[index] != UInt8(ascii: "\"") && bytes[index] != UInt8(ascii: "\\") { index += 1 }
            out.append(contentsOf: bytes[start..<index])
            let c = try take()
            if c == UInt8(ascii: "\"") { return out }
            let escaped = try take()
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    try expect(UInt8(ascii: "\\"))
                    try expect(UInt8(ascii: "u"))
                    let low = try hex4()
                    // A high surrogate must be followed by a low one; anything else would underflow below.
                    guard (0xDC00..<0xE000).contains(low) else { throw ManifestFormatError("bad \\u escape: unpaired surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw ManifestFormatError("bad \\u escape") }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                throw ManifestFormatError("bad escape at byte \(index - 1)")
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = try take()
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw ManifestFormatError("bad \\u escape")
            }
            value = value << 4 | digit
        }
        return value
    }

    private mutating func integer() throws -> Int64 {
        var negative = false
        if peek() == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var value: Int64 = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let (multiplied, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (added, overflow2) = multiplied.addingReportingOverflow(Int64(bytes[index] - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { throw ManifestFormatError("number out of range at byte \(index)") }
            value = added
            index += 1
            digits += 1
        }
        guard digits > 0 else { throw ManifestFormatError("bad number at byte \(index)") }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            throw ManifestFormatError("expected an integer at byte \(index)")
        }
        return negative ? -value : value
    }

    private mutating func literal(_ word: StaticString) throws {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for byte in expected { try expect(byte) }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func take() throws -> UInt8 {
        guard index < bytes.count else { throw ManifestFormatError("the line ends too early") }
        defer { index += 1 }
        return bytes[index]
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard try take() == byte else { throw ManifestFormatError("expected \(Character(Unicode.Scalar(byte))) at byte \(index - 1)") }
    }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }
}
