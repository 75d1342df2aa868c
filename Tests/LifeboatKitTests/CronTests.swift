import Foundation
import Testing
import LifeboatKit

@Suite("CronExpression")
struct CronTests {
    let utc = TimeZone(identifier: "UTC")!
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    func date(_ iso: String) -> Date {
        try! Date(iso, strategy: .iso8601)
    }

    func next(_ expression: String, after iso: String, in zone: TimeZone? = nil) throws -> Date? {
        try CronExpression(parsing: expression).next(after: date(iso), in: zone ?? utc)
    }

    @Test("finds the next time for fields, lists, ranges, steps and names")
    func nextTimes() throws {
        #expect(try next("*/5 * * * *", after: "2025-01-01T10:02:30Z") == date("2025-01-01T10:05:00Z"))
        #expect(try next("*/5 * * * *", after: "2025-01-01T10:05:00Z") == date("2025-01-01T10:10:00Z"))
        #expect(try next("0 2 * * *", after: "2025-01-01T02:00:00Z") == date("2025-01-02T02:00:00Z"))
        #expect(try next("0 2 * * 0", after: "2025-01-01T00:00:00Z") == date("2025-01-05T02:00:00Z"))
        #expect(try next("0 2 * * 7", after: "2025-01-01T00:00:00Z") == date("2025-01-05T02:00:00Z"))
        #expect(try next("15,45 9-17/4 * * mon-fri", after: "2025-01-04T00:00:00Z") == date("2025-01-06T09:15:00Z"))
        #expect(try next("15,45 9-17/4 * * MON-FRI", after: "2025-01-06T09:50:00Z") == date("2025-01-06T13:15:00Z"))
        #expect(try next("0 12 * * sat-sun", after: "2025-01-01T00:00:00Z") == date("2025-01-04T12:00:00Z"))
        #expect(try CronExpression(parsing: "0 0 * * fri-sun") == CronExpression(parsing: "0 0 * * 0,5,6"))
        #expect(try next("0 0 1 jul *", after: "2025-01-01T00:00:00Z") == date("2025-07-01T00:00:00Z"))
        #expect(try next("5/20 * * * *", after: "2025-01-01T00:46:00Z") == date("2025-01-01T01:05:00Z"))
        #expect(try next("59 23 31 12 *", after: "2025-06-01T00:00:00Z") == date("2025-12-31T23:59:00Z"))
    }

    @Test("expands the aliases; quarterly is 0 0 1 1,4,7,10 *")
    func aliases() throws {
        #expect(try CronExpression(parsing: "quarterly") == CronExpression(parsing: "0 0 1 1,4,7,10 *"))
        #expect(try CronExpression(parsing: "@daily") == CronExpression(parsing: "0 0 * * *"))
        #expect(try CronExpression(parsing: "weekly").description == "weekly")
        #expect(try next("quarterly", after: "2025-01-01T00:00:00Z") == date("2025-04-01T00:00:00Z"))
        #expect(try next("hourly", after: "2025-01-01T00:00:00Z") == date("2025-01-01T01:00:00Z"))
        #expect(try next("weekly", after: "2025-01-01T00:00:00Z") == date("2025-01-05T00:00:00Z"))
        #expect(try next("monthly", after: "2025-01-15T00:00:00Z") == date("2025-02-01T00:00:00Z"))
        #expect(try next("yearly", after: "2025-01-01T00:00:00Z") == date("2026-01-01T00:00:00Z"))
    }

    @Test("a day matches either restricted day field, both when one starts with *")
    func dayOfMonthOrDayOfWeek() throws {
        // Friday 2025-01-03 comes before the 13th.
        #expect(try next("0 0 13 * fri", after: "2025-01-01T00:00:00Z") == date("2025-01-03T00:00:00Z"))
        #expect(try next("0 0 13 * fri", after: "2025-01-10T00:00:00Z") == date("2025-01-13T00:00:00Z"))
        // `*/2` is unrestricted in the Vixie sense: odd days that are Mondays.
        #expect(try next("0 0 */2 * mon", after: "2025-01-01T00:00:00Z") == date("2025-01-13T00:00:00Z"))
    }

    @Test("February 29th is found years ahead; February 30th never comes")
    func rareAndImpossibleDays() throws {
        #expect(try next("0 0 29 2 *", after: "2025-01-01T00:00:00Z") == date("2028-02-29T00:00:00Z"))
        #expect(try next("0 0 29 2 *", after: "2097-01-01T00:00:00Z") == date("2104-02-29T00:00:00Z"))
        #expect(try next("0 0 30 2 *", after: "2025-01-01T00:00:00Z") == nil)
    }

    @Test("reads the wall clock of the given time zone, across daylight-saving changes")
    func timeZones() throws {
        #expect(try next("0 2 * * *", after: "2025-01-01T00:00:00Z", in: berlin) == date("2025-01-01T01:00:00Z"))
        #expect(try next("0 2 * * *", after: "2025-06-30T23:00:00Z", in: berlin) == date("2025-07-01T00:00:00Z"))
        // 02:30 does not exist on 2025-03-30 in Berlin: the job runs just after the jump, at 03:30 CEST.
        #expect(try next("30 2 * * *", after: "2025-03-29T12:00:00Z", in: berlin) == date("2025-03-30T01:30:00Z"))
        // 02:30 happens twice on 2025-10-26: it runs the first time only.
        #expect(try next("30 2 * * *", after: "2025-10-25T12:00:00Z", in: berlin) == date("2025-10-26T00:30:00Z"))
        #expect(try next("30 2 * * *", after: "2025-10-26T00:30:00Z", in: berlin) == date("2025-10-27T01:30:00Z"))
        // An hourly job at 02:00 CEST (00:00Z) runs next at 03:00 CET (02:00Z), not at the repeated 02:00.
        #expect(try next("0 * * * *", after: "2025-10-26T00:00:00Z", in: berlin) == date("2025-10-26T02:00:00Z"))
    }

    @Test("rejects invalid expressions, naming the field and showing examples", arguments: [
        ("61 * * * *", "minute 61 is out of range 0-59"), ("0 24 * * *", "hour 24 is out of range 0-23"),
        ("0 0 0 * *", "day-of-month 0 is out of range 1-31"), ("0 0 * 13 *", "month 13 is out of range 1-12"),
        ("0 0 * * 8", "day-of-week 8 is out of range 0-7"), ("* * *", "it has 3 fields, not 5"),
        ("", "it is empty"), ("dayly", "unknown alias \"dayly\""), ("5-1 * * * *", "runs backwards"),
        ("*/0 * * * *", "step \"0\" must be a positive number"), ("0 0 * * funday", "day-of-week \"funday\" is not a number or a name (sun, mon"),
        ("1,,2 * * * *", "empty list item"), ("0 0 * * * *", "it has 6 fields"),
    ])
    func rejects(text: String, problem: String) {
        let error = #expect(throws: LifeboatError.self) { try CronExpression(parsing: text) }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(#""*/5 * * * *""#) == true)
    }
}
