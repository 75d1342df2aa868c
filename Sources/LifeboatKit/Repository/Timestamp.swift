import Foundation

/// ISO 8601 timestamps as written in the repository and accepted on the command line.
public enum Timestamp {
    /// UTC with milliseconds: `2026-11-25T07:30:12.123Z`.
    public static func format(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted))
    }

    /// Accepts `2026-11-25T07:30:12Z`, with fractional seconds, with an offset (`+02:00`), or a bare
    /// date (`2026-11-25`, midnight UTC); nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        if let date = try? withFraction.parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle().year().month().day().parse(text) { return date }
        return nil
    }
}
