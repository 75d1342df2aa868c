/// One of the five fields of a cron expression: the set of values it allows, as a bit mask.
struct CronField: Sendable, Hashable {
    /// Bit `n` is set when value `n` is allowed.
    let mask: UInt64
    /// False when the field is written starting with `*` (`*`, `*/5`): the day-of-month and
    /// day-of-week fields then combine with AND instead of OR, as in Vixie cron and cronie.
    let isRestricted: Bool

    func contains(_ value: Int) -> Bool {
        value >= 0 && value < 64 && mask & (1 << UInt64(value)) != 0
    }

    /// The smallest allowed value that is `>= value`, if any.
    func first(atLeast value: Int) -> Int? {
        guard value < 64 else { return nil }
        let remaining = mask >> UInt64(max(0, value))
        return remaining == 0 ? nil : max(0, value) + remaining.trailingZeroBitCount
    }

    /// How one field is written: its name in messages, its range and the names it accepts.
    struct Kind: Sendable {
        let name: String
        let range: ClosedRange<Int>
        /// Accepted names, lowercased; `names[i]` stands for `range.lowerBound + i`.
        let names: [String]
        /// Values folded onto another after parsing (day-of-week 7 is Sunday, 0).
        let foldSevenToZero: Bool

        static let minute = Kind(name: "minute", range: 0...59, names: [], foldSevenToZero: false)
        static let hour = Kind(name: "hour", range: 0...23, names: [], foldSevenToZero: false)
        static let dayOfMonth = Kind(name: "day-of-month", range: 1...31, names: [], foldSevenToZero: false)
        static let month = Kind(
            name: "month", range: 1...12,
            names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
            foldSevenToZero: false)
        static let dayOfWeek = Kind(
            name: "day-of-week", range: 0...7,
            names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            foldSevenToZero: true)
    }

    /// Parses one field: `*`, `5`, `1-5`, `*/15`, `1-10/2`, `5/15` (from 5 to the end by 15),
    /// lists of those separated by commas, and names such as `mon-fri` or `jan,jul`.
    ///
    /// - Throws: a plain problem description; `CronExpression` adds the expression and examples.
    init(parsing text: String, as kind: Kind) throws(CronProblem) {
        var mask: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            mask |= try Self.parseItem(String(item), kind)
        }
        if kind.foldSevenToZero, mask & (1 << 7) != 0 {
            mask = (mask & ~(1 << 7)) | 1
        }
        self.mask = mask
        self.isRestricted = !text.hasPrefix("*")
    }

    private static func parseItem(_ item: String, _ kind: Kind) throws(CronProblem) -> UInt64 {
        guard !item.isEmpty else { throw CronProblem("\(kind.name) field has an empty list item") }
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw CronProblem("\(kind.name) field \"\(item)\" has more than one \"/\"") }
        var step = 1
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), parsed > 0 else {
                throw CronProblem("\(kind.name) step \"\(parts[1])\" must be a positive number")
            }
            step = parsed
        }
        let base = String(parts[0])
        var range: ClosedRange<Int>
        if base == "*" {
            range = kind.range
        } else if let dash = base.firstIndex(of: "-") {
            let low = try value(String(base[..<dash]), kind)
            var high = try value(String(base[base.index(after: dash)...]), kind)
            if kind.foldSevenToZero && high == 0 && low > 0 { high = 7 }  // `fri-sun`
            guard low <= high else {
                throw CronProblem("\(kind.name) range \"\(base)\" runs backwards (write the smaller value first)")
            }
            range = low...high
        } else {
            let single = try value(base, kind)
            range = parts.count == 2 ? single...kind.range.upperBound : single...single
        }
        var mask: UInt64 = 0
        for value in stride(from: range.lowerBound, through: range.upperBound, by: step) {
            mask |= 1 << UInt64(value)
        }
        return mask
    }

    private static func value(_ text: String, _ kind: Kind) throws(CronProblem) -> Int {
        if let number = Int(text) {
            guard kind.range.contains(number) else {
                throw CronProblem("\(kind.name) \(number) is out of range \(kind.range.lowerBound)-\(kind.range.upperBound)")
            }
            return number
        }
        if let index = kind.names.firstIndex(of: text.lowercased()) {
            return kind.range.lowerBound + index
        }
        var seen = Set<String>()
        let unique = kind.names.filter { seen.insert($0).inserted }
        let names = unique.isEmpty ? "" : " or a name (\(unique.joined(separator: ", ")))"
        throw CronProblem("\(kind.name) \"\(text)\" is not a number\(names)")
    }
}

/// Why a cron field did not parse; `CronExpression` turns it into a `LifeboatError`.
struct CronProblem: Error {
    let text: String
    init(_ text: String) { self.text = text }
}
