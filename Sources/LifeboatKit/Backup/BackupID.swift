import Foundation

/// Backup ids sort in time order: `20261125T073012.123Z-1a2b` (UTC, milliseconds, random suffix).
public enum BackupID {
    public static func make(at date: Date = Date(), after previous: String? = nil) -> String {
        var date = date
        if let previous, let previousDate = self.date(of: previous), previousDate >= date {
            date = previousDate.addingTimeInterval(0.001)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        let millis = (c.nanosecond ?? 0) / 1_000_000
        let stamp = String(format: "%04d%02d%02dT%02d%02d%02d.%03dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!, millis)
        return "\(stamp)-\(String(format: "%04x", UInt16.random(in: 0...UInt16.max)))"
    }

    /// The time encoded in an id.
    public static func date(of id: String) -> Date? {
        let stamp = id.prefix(19)
        guard stamp.count == 19 else { return nil }
        let text = "\(stamp.prefix(4))-\(stamp.dropFirst(4).prefix(2))-\(stamp.dropFirst(6).prefix(2))T\(stamp.dropFirst(9).prefix(2)):\(stamp.dropFirst(11).prefix(2)):\(stamp.dropFirst(13).prefix(6))Z"
        return Timestamp.parse(text)
    }
}
