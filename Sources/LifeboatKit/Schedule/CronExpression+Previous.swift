import Foundation

extension CronExpression {
    /// The latest time at or before `date` when the expression fires, or nil when it has not fired in
    /// the last 400 days. Searches backwards in growing windows, so a `*/5` expression costs a few
    /// steps and a yearly one a few more.
    public func previous(atOrBefore date: Date, in timeZone: TimeZone) -> Date? {
        let windows: [TimeInterval] = [3_600, 86_400, 8 * 86_400, 32 * 86_400, 93 * 86_400, 400 * 86_400]
        for window in windows {
            guard var fire = next(after: date.addingTimeInterval(-window), in: timeZone), fire <= date else { continue }
            while let later = next(after: fire, in: timeZone), later <= date { fire = later }
            return fire
        }
        return nil
    }
}
