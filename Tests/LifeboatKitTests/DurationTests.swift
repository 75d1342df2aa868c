import Foundation
import Testing
import LifeboatKit

@Suite("LifeboatDuration")
struct DurationTests {
    @Test("parses every unit and combinations of them", arguments: [
        ("30s", 30), ("5m", 300), ("1h", 3_600), ("7d", 604_800), ("2w", 1_209_600),
        ("1h30m", 5_400), ("1d12h", 129_600), ("0s", 0), (" 90m ", 5_400),
    ] as [(String, Int64)])
    func parses(text: String, seconds: Int64) throws {
        #expect(try LifeboatDuration(parsing: text).seconds == seconds)
    }

    @Test("accepts up to 100 years and no more, so that no sum with a date or duration overflows")
    func bounded() throws {
        #expect(try LifeboatDuration(parsing: "36500d") == LifeboatDuration.maximum)
        #expect(try LifeboatDuration(parsing: "5214w2d").seconds == 36_500 * 86_400)
        #expect(LifeboatDuration.maximum.description == "5214w2d")
        // The longest accepted duration still round-trips: its written form parses back.
        #expect(try LifeboatDuration(parsing: LifeboatDuration.maximum.description) == .maximum)
    }

    @Test("renders compactly, largest unit first")
    func description() {
        #expect(LifeboatDuration(seconds: 5_400).description == "1h30m")
        #expect(LifeboatDuration.minutes(90).description == "1h30m")
        #expect(LifeboatDuration.days(14).description == "2w")
        #expect(LifeboatDuration.days(30).description == "4w2d")
        #expect(LifeboatDuration(seconds: 0).description == "0s")
        #expect(LifeboatDuration(seconds: 3_661).description == "1h1m1s")
    }

    @Test("rejects malformed values with a message that shows valid examples", arguments: [
        ("", "it is empty"), ("-5m", "cannot be negative"), ("5x", "unknown unit \"x\""),
        ("10", "has no unit"), ("m", "no number before it"), ("30m1h", "largest to smallest"),
        ("1h1h", "largest to smallest"), ("1.5h", "unexpected \".\""),
        ("99999999999999999999s", "too large"), ("9999999999999999w", "longer than 100 years"),
        ("106751991167300d", "longer than 100 years"), ("36501d", "longer than 100 years"),
        ("5214w2d1s", "longer than 100 years"),
    ])
    func rejects(text: String, problem: String) {
        let error = #expect(throws: LifeboatError.self) { try LifeboatDuration(parsing: text) }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("30s, 5m, 1h, 7d, 2w or 1h30m") == true)
    }

    @Test("orders by length and round-trips through JSON as its string form")
    func comparableAndCodable() throws {
        #expect(LifeboatDuration.minutes(5) < .hours(1))
        let data = try JSONEncoder().encode([LifeboatDuration.minutes(90)])
        #expect(String(decoding: data, as: UTF8.self) == #"["1h30m"]"#)
        #expect(try JSONDecoder().decode([LifeboatDuration].self, from: data) == [.minutes(90)])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([LifeboatDuration].self, from: Data(#"["5x"]"#.utf8)) }
    }
}
