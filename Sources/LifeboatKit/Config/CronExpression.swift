/// A validated 5-field cron schedule: `minute hour day-of-month month day-of-week`.
///
/// Fields accept `*`, numbers, lists (`1,15`), ranges (`1-5`), steps (`*/5`, `1-10/2`, `5/15`) and the
/// names `jan`…`dec` and `sun`…`sat` (case-insensitive); day-of-week `0` and `7` are both Sunday.
/// The aliases `hourly`, `daily`, `weekly`, `monthly`, `quarterly` (`0 0 1 1,4,7,10 *`) and `yearly`
/// are accepted, with or without a leading `@`.
///
/// As in standard (Vixie) cron, when both day-of-month and day-of-week are restricted (neither starts
/// with `*`), a day matches when *either* does; otherwise both must match. Two expressions are equal
/// when they fire at the same times (`daily` equals `0 0 * * *`); `description` is the text as written.
public struct CronExpression: Sendable, Hashable, TextCodable {
    /// The expression as written (whitespace collapsed), e.g. `*/5 * * * *` or `daily`.
    public let description: String

    let minutes: CronField
    let hours: CronField
    let daysOfMonth: CronField
    let months: CronField
    let daysOfWeek: CronField

    /// The aliases and the expressions they stand for.
    public static let aliases: KeyValuePairs<String, String> = [
        "hourly": "0 * * * *",
        "daily": "0 0 * * *",
        "weekly": "0 0 * * 0",
        "monthly": "0 0 1 * *",
        "quarterly": "0 0 1 1,4,7,10 *",
        "yearly": "0 0 1 1 *",
    ]

    static let examples = "\"*/5 * * * *\", \"0 2 * * *\", \"30 3 * * mon-fri\", or an alias: "
        + aliases.map(\.key).joined(separator: ", ")

    /// Parses and validates an expression.
    ///
    /// - Throws: `LifeboatError` (`.configuration`) naming the faulty field and showing valid
    ///   examples. Callers add the file and key path.
    public init(parsing text: String) throws {
        let written = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        func invalid(_ problem: String) -> LifeboatError {
            LifeboatError(.configuration, "invalid cron expression \"\(text)\": \(problem); "
                + "write 5 fields \"minute hour day-of-month month day-of-week\", e.g. \(Self.examples)")
        }
        var expanded = written
        let aliasName = written.hasPrefix("@") ? String(written.dropFirst()) : written
        if let alias = Self.aliases.first(where: { $0.key == aliasName.lowercased() }) {
            expanded = alias.value
        } else if written.hasPrefix("@") || (!written.isEmpty && written.allSatisfy(\.isLetter)) {
            throw invalid("unknown alias \"\(written)\"")
        }
        let fields = expanded.split(separator: " ").map(String.init)
        guard fields.count == 5 else {
            throw invalid(written.isEmpty ? "it is empty" : "it has \(fields.count) field\(fields.count == 1 ? "" : "s"), not 5")
        }
        do {
            minutes = try CronField(parsing: fields[0], as: .minute)
            hours = try CronField(parsing: fields[1], as: .hour)
            daysOfMonth = try CronField(parsing: fields[2], as: .dayOfMonth)
            months = try CronField(parsing: fields[3], as: .month)
            daysOfWeek = try CronField(parsing: fields[4], as: .dayOfWeek)
        } catch {
            throw invalid(error.text)
        }
        description = written
    }

    /// Whether the schedule allows this calendar day (month, day of month and weekday 0 = Sunday).
    func matchesDay(month: Int, day: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        let dayOfMonth = daysOfMonth.contains(day)
        let dayOfWeek = daysOfWeek.contains(weekday)
        if daysOfMonth.isRestricted && daysOfWeek.isRestricted {
            return dayOfMonth || dayOfWeek
        }
        return dayOfMonth && dayOfWeek
    }

    public static func == (lhs: CronExpression, rhs: CronExpression) -> Bool {
        lhs.minutes == rhs.minutes && lhs.hours == rhs.hours && lhs.daysOfMonth == rhs.daysOfMonth
            && lhs.months == rhs.months && lhs.daysOfWeek == rhs.daysOfWeek
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(minutes)
        hasher.combine(hours)
        hasher.combine(daysOfMonth)
        hasher.combine(months)
        hasher.combine(daysOfWeek)
    }

}
