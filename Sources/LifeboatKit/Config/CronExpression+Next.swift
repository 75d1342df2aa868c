import Foundation

extension CronExpression {
    /// The first time strictly after `date` at which the schedule fires, read on the wall clock of
    /// `timeZone`; `nil` when it never fires (e.g. `0 0 30 2 *`, February 30th).
    ///
    /// Times fall on whole minutes. Across daylight-saving changes: a wall time skipped by a
    /// spring-forward jump fires at the instant the clock shows after the jump (a daily `30 2 * * *`
    /// still runs that day); a wall time repeated by a fall-back runs once, the first time.
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let now = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        guard let year = now.year, let month = now.month, let day = now.day,
              let hour = now.hour, let minute = now.minute else { return nil }
        var start = WallTime(year: year, month: month, day: day, hour: hour, minute: minute).addingOneMinute()
        // Each wall time that maps to an instant not after `date` (a repeated hour) moves the search on.
        for _ in 0..<(24 * 60) {
            guard let wall = firstWallTime(atOrAfter: start) else { return nil }
            let components = DateComponents(
                calendar: calendar, timeZone: timeZone,
                year: wall.year, month: wall.month, day: wall.day, hour: wall.hour, minute: wall.minute, second: 0)
            guard let candidate = calendar.date(from: components) else { return nil }
            if candidate > date { return candidate }
            start = wall.addingOneMinute()
        }
        return nil
    }

    /// Years searched before concluding the schedule never fires: covers February 29th, which can be
    /// eight years apart (2096 to 2104).
    private static let searchYears = 9

    private func firstWallTime(atOrAfter start: WallTime) -> WallTime? {
        var year = start.year, month = start.month, day = start.day
        var isStartDay = true
        while year <= start.year + Self.searchYears {
            if !months.contains(month) {
                (year, month, day) = month == 12 ? (year + 1, 1, 1) : (year, month + 1, 1)
                isStartDay = false
                continue
            }
            if matchesDay(month: month, day: day, weekday: WallTime.weekday(year: year, month: month, day: day)) {
                var hour = hours.first(atLeast: isStartDay ? start.hour : 0)
                while let candidateHour = hour, candidateHour <= 23 {
                    let fromMinute = isStartDay && candidateHour == start.hour ? start.minute : 0
                    if let minute = minutes.first(atLeast: fromMinute), minute <= 59 {
                        return WallTime(year: year, month: month, day: day, hour: candidateHour, minute: minute)
                    }
                    hour = hours.first(atLeast: candidateHour + 1)
                }
            }
            if day < WallTime.daysIn(month: month, year: year) {
                day += 1
            } else {
                (year, month, day) = month == 12 ? (year + 1, 1, 1) : (year, month + 1, 1)
            }
            isStartDay = false
        }
        return nil
    }
}

/// A reading of a wall clock, without a time zone; plain proleptic Gregorian arithmetic.
struct WallTime: Equatable {
    var year, month, day, hour, minute: Int

    func addingOneMinute() -> WallTime {
        var next = self
        next.minute += 1
        if next.minute == 60 { next.minute = 0; next.hour += 1 }
        if next.hour == 24 { next.hour = 0; next.day += 1 }
        if next.day > Self.daysIn(month: next.month, year: next.year) { next.day = 1; next.month += 1 }
        if next.month == 13 { next.month = 1; next.year += 1 }
        return next
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// 0 = Sunday … 6 = Saturday (Sakamoto's method).
    static func weekday(year: Int, month: Int, day: Int) -> Int {
        let offsets = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4]
        let y = month < 3 ? year - 1 : year
        return (y + y / 4 - y / 100 + y / 400 + offsets[month - 1] + day) % 7
    }
}
