/// A length of time as written in `lifeboat.yaml`: `30s`, `5m`, `1h`, `7d`, `2w`, `1h30m`.
///
/// Units are `s`, `m`, `h`, `d` (24 h) and `w` (7 d); a value combines units from the largest to the
/// smallest, each at most once. It is whole seconds, never negative, and encodes as its compact
/// string form (`5400` seconds is `1h30m`), so it round-trips through JSON and YAML unchanged.
///
/// A written duration is at most `maximum` (100 years): longer ones are mistakes, and bounding
/// them keeps every sum with a date or another duration far from overflowing.
public struct LifeboatDuration: Sendable, Hashable, Comparable, TextCodable {
    /// The length in seconds; never negative.
    public let seconds: Int64

    /// A duration of `seconds` seconds (a negative count is clamped to zero).
    public init(seconds: Int64) {
        self.seconds = max(0, seconds)
    }

    public static func seconds(_ n: Int64) -> LifeboatDuration { LifeboatDuration(seconds: n) }
    public static func minutes(_ n: Int64) -> LifeboatDuration { LifeboatDuration(seconds: n * 60) }
    public static func hours(_ n: Int64) -> LifeboatDuration { LifeboatDuration(seconds: n * 3_600) }
    public static func days(_ n: Int64) -> LifeboatDuration { LifeboatDuration(seconds: n * 86_400) }

    /// The units in the order they must be written, with their length in seconds.
    static let units: [(symbol: Character, seconds: Int64)] = [
        ("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1),
    ]

    static let examples = "30s, 5m, 1h, 7d, 2w or 1h30m"

    /// The longest duration `init(parsing:)` accepts: 100 years of 365 days (`36500d`, `5214w2d`).
    public static let maximum = LifeboatDuration(seconds: 36_500 * 86_400)

    /// Parses the written form, e.g. `1h30m`.
    ///
    /// - Throws: `LifeboatError` (`.configuration`) for an empty, negative, unit-less or otherwise
    ///   malformed value, or one longer than `maximum`; the message shows valid examples. Callers add
    ///   the file and key path.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingWhitespace
        func invalid(_ problem: String) -> LifeboatError {
            LifeboatError(.configuration, "invalid duration \"\(text)\": \(problem) (write e.g. \(Self.examples))")
        }
        guard !trimmed.isEmpty else { throw invalid("it is empty") }
        if trimmed.hasPrefix("-") { throw invalid("durations cannot be negative") }

        var total: Int64 = 0
        var digits = ""
        var lastUnitIndex = -1
        for character in trimmed {
            if ("0"..."9").contains(character) {
                digits.append(character)
                continue
            }
            guard let unitIndex = Self.units.firstIndex(where: { $0.symbol == character }) else {
                throw invalid(character.isLetter
                    ? "unknown unit \"\(character)\" (units: s, m, h, d, w)"
                    : "unexpected \"\(character)\"")
            }
            guard !digits.isEmpty else { throw invalid("unit \"\(character)\" has no number before it") }
            guard unitIndex > lastUnitIndex else {
                throw invalid("write units from largest to smallest, each once (w, d, h, m, s)")
            }
            guard let count = Int64(digits) else { throw invalid("number \(digits) is too large") }
            let (part, overflow1) = count.multipliedReportingOverflow(by: Self.units[unitIndex].seconds)
            let (sum, overflow2) = total.addingReportingOverflow(part)
            guard !overflow1, !overflow2, sum <= Self.maximum.seconds else {
                throw invalid("it is longer than 100 years (36500d), the longest duration accepted")
            }
            total = sum
            digits = ""
            lastUnitIndex = unitIndex
        }
        guard digits.isEmpty else { throw invalid("the number \(digits) has no unit") }
        self.seconds = total
    }

    /// The compact written form: `1h30m`, `7d`, `2w`, `0s`.
    public var description: String {
        guard seconds > 0 else { return "0s" }
        var rest = seconds
        var text = ""
        for unit in Self.units where rest >= unit.seconds {
            text += "\(rest / unit.seconds)\(unit.symbol)"
            rest %= unit.seconds
        }
        return text
    }

    public static func < (lhs: LifeboatDuration, rhs: LifeboatDuration) -> Bool {
        lhs.seconds < rhs.seconds
    }

}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines.
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let start = firstIndex(where: { !isSpace($0) }),
              let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
