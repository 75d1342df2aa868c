extension CronExpression {
    /// The months an expression allows in which its days of the month do not all exist, when only
    /// day-of-month picks the days (day-of-week starts with `*`, so the two combine with AND).
    ///
    /// `0 2 31 * *` skips the seven months shorter than 31 days; `0 2 31 2 *` skips every month it
    /// allows, so it never fires; `0 0 29 2 *` fires in February of leap years only. With both fields
    /// restricted a day matches when *either* does, and every month has every weekday, so no month is
    /// skipped. A day-of-week such as `*/2` (AND, but a subset of the week) is not looked at.
    struct MonthCoverage: Equatable {
        /// Allowed months (1…12) in which none of the allowed days exist.
        var skipped: [Int] = []
        /// February is allowed, exists only in leap years for these days (the 29th is the earliest).
        var februaryInLeapYearsOnly = false
        /// Whether the expression fires in no month at all.
        var neverFires = false
    }

    var monthCoverage: MonthCoverage {
        var coverage = MonthCoverage()
        guard daysOfMonth.isRestricted, !daysOfWeek.isRestricted, let earliest = daysOfMonth.first(atLeast: 1) else {
            return coverage
        }
        let allowed = (1...12).filter { months.contains($0) }
        coverage.skipped = allowed.filter { earliest > Self.longestMonth($0) }
        coverage.februaryInLeapYearsOnly = months.contains(2) && earliest == 29
        coverage.neverFires = coverage.skipped.count == allowed.count
        return coverage
    }

    /// Why the expression never fires or what it skips, for config messages; nil when it fires in
    /// every month it allows. `isError` is true when it never fires.
    var monthProblem: (message: String, isError: Bool)? {
        let coverage = monthCoverage
        let days = "day \(daysOfMonth.first(atLeast: 1) ?? 0)"
        if coverage.neverFires {
            let names = coverage.skipped.map { Self.monthNames[$0 - 1] }
            return ("\"\(description)\" never fires: \(Self.list(names)) \(names.count == 1 ? "has" : "have") no \(days); "
                + "choose a day of the month that exists in the months it names (e.g. \"0 2 28 2 *\")", true)
        }
        var parts: [String] = []
        if !coverage.skipped.isEmpty {
            let names = coverage.skipped.map { Self.monthNames[$0 - 1] }
            parts.append("it skips \(Self.list(names)), which \(names.count == 1 ? "has" : "have") no \(days)")
        }
        if coverage.februaryInLeapYearsOnly { parts.append("in February it fires only in leap years (day 29)") }
        guard !parts.isEmpty else { return nil }
        return ("\"\(description)\" does not fire every month it names: \(parts.joined(separator: "; ")); "
            + "use day 28 or earlier to run every month", false)
    }

    private static func longestMonth(_ month: Int) -> Int {
        WallTime.daysIn(month: month, year: 2000)  // a leap year: February has 29 days
    }

    private static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                                     "September", "October", "November", "December"]

    private static func list(_ names: [String]) -> String {
        names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + names.last!
    }
}
