/// Byte-level mutations, one to four stacked per input: bit flips, random bytes, inserted and deleted
/// runs, splices of two corpus inputs, repeated chunks, and "interesting" values — empty, huge and
/// negative numbers, `..` and `/`, NUL and other control characters, very long runs, deep nesting and
/// invalid UTF-8 — plus the target's own `dictionary` of keywords.
struct FuzzMutator {
    var dictionary: [[UInt8]]

    static let interesting: [[UInt8]] = [
        "", "..", "/", "../", "/..", "./", "//", "\0", "\u{1B}[2J", "\u{1B}]0;x\u{7}", "\n", "\r\n", "\t", "\u{7F}",
        "\\", "\"", "'", "\\u0000", "\\ud800", "\\udc00", "\\ud800\\u0000", "\\ud83d\\ude00", "\\/", "null", "true",
        "-", "0", "-0", "-1", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "18446744073709551616", "4294967296", "1e309", "0.5", "077777777777", "{{", "}}", "{", "}", "[", "]",
        ",", ":", "#", "*", "&a", "*a", "!!binary", "<<", "---", "...", "? ", "- ", ": ", "|", ">", "~", "%",
        "\u{301}", "\u{600}", "\u{200D}", "\u{FEFF}", "\u{202E}", "é", "😀",
    ].map { Array($0.utf8) }

    /// Byte sequences that are not UTF-8: overlong `.` and `/`, a surrogate, a lone continuation byte,
    /// a truncated sequence, bytes that never occur.
    static let invalidUTF8: [[UInt8]] = [[0xC0, 0xAE], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0x80], [0xE2, 0x82], [0xFF], [0xFE, 0xFF]]

    /// Openers that nest when repeated.
    static let nesting: [[UInt8]] = ["[", "{", "{\"a\":", "- ", "a: ", "[{", "\"\\", "(", "*/"].map { Array($0.utf8) }

    mutating func mutate(_ input: [UInt8], corpus: [[UInt8]], using rng: inout SplitMix64) -> [UInt8] {
        var data = input
        for _ in 0...rng.below(4) { mutateOnce(&data, corpus: corpus, using: &rng) }
        return data
    }

    private func position(in data: [UInt8], _ rng: inout SplitMix64) -> Int { rng.below(data.count + 1) }

    private func token(_ rng: inout SplitMix64) -> [UInt8] {
        if !dictionary.isEmpty && rng.below(2) == 0 { return dictionary[rng.below(dictionary.count)] }
        return Self.interesting[rng.below(Self.interesting.count)]
    }

    private func mutateOnce(_ data: inout [UInt8], corpus: [[UInt8]], using rng: inout SplitMix64) {
        switch rng.below(14) {
        case 0 where !data.isEmpty:  // flip a bit
            data[rng.below(data.count)] ^= 1 << UInt8(rng.below(8))
        case 1 where !data.isEmpty:  // a random byte
            data[rng.below(data.count)] = UInt8(truncatingIfNeeded: rng.next())
        case 2:  // insert random bytes
            let bytes = (0...rng.below(8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            data.insert(contentsOf: bytes, at: position(in: data, &rng))
        case 3 where !data.isEmpty:  // delete a run
            let start = rng.below(data.count)
            data.removeSubrange(start..<min(data.count, start + 1 + rng.below(16)))
        case 4:  // splice: the head of this input, the tail of another
            let other = corpus[rng.below(corpus.count)]
            data = Array(data.prefix(position(in: data, &rng))) + other.suffix(rng.below(other.count + 1))
        case 5 where !data.isEmpty:  // repeat a chunk
            let start = rng.below(data.count)
            let chunk = data[start..<min(data.count, start + 1 + rng.below(32))]
            let copies = Array(repeating: chunk, count: 1 + rng.below(rng.below(2) == 0 ? 4 : 256)).flatMap { $0 }
            data.insert(contentsOf: copies, at: start)
        case 6, 7:  // insert a token
            data.insert(contentsOf: token(&rng), at: position(in: data, &rng))
        case 8 where !data.isEmpty:  // overwrite a run with a token
            let start = rng.below(data.count)
            data.replaceSubrange(start..<min(data.count, start + rng.below(12)), with: token(&rng))
        case 9:  // replace a number with an interesting one
            replaceNumber(&data, &rng)
        case 10:  // deep nesting
            let opener = Self.nesting[rng.below(Self.nesting.count)]
            let depth = rng.below(2) == 0 ? 1 + rng.below(64) : 1 + rng.below(20_000)
            data.insert(contentsOf: Array(repeating: opener, count: depth).flatMap { $0 }, at: position(in: data, &rng))
        case 11:  // a very long run
            let byte = [UInt8(ascii: "A"), UInt8(ascii: "/"), UInt8(ascii: "."), 0, 0x1B, 0xFF][rng.below(6)]
            data.insert(contentsOf: Array(repeating: byte, count: 1 + rng.below(rng.below(2) == 0 ? 300 : 40_000)), at: position(in: data, &rng))
        case 12:  // invalid UTF-8
            data.insert(contentsOf: Self.invalidUTF8[rng.below(Self.invalidUTF8.count)], at: position(in: data, &rng))
        case 13 where rng.below(16) == 0:  // empty
            data = []
        default:  // a control character
            data.insert(UInt8(rng.below(0x20)), at: position(in: data, &rng))
        }
    }

    /// Replaces one run of digits (if any) with an interesting number.
    private func replaceNumber(_ data: inout [UInt8], _ rng: inout SplitMix64) {
        let digits = data.indices.filter { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(data[$0]) }
        guard !digits.isEmpty else { return }
        var start = digits[rng.below(digits.count)]
        var end = start + 1
        while start > 0, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(data[start - 1]) { start -= 1 }
        while end < data.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(data[end]) { end += 1 }
        let numbers = ["0", "-1", "1", "7", "8", "59", "60", "255", "256", "4294967295", "4294967296", "9223372036854775807",
                       "9223372036854775808", "-9223372036854775808", "99999999999999999999", "1e3", "0x10", "08"]
        data.replaceSubrange(start..<end, with: Array(numbers[rng.below(numbers.count)].utf8))
    }
}
