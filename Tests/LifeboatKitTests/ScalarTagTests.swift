import Testing
import Yams
@testable import LifeboatKit

/// `ScalarTag` resolves plain scalars as Yams' default resolver does, without its regular
/// expressions for words that cannot match them.
@Suite("ScalarTag: the default resolver's tags, cheaply")
struct ScalarTagTests {
    @Test("every kind of plain scalar gets the tag Yams' default resolver gives it", arguments: [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        "y", "n", "yES", "tRUE", "nULL", "null", "Null", "NULL", "~", "", "0", "8080", "-5", "+3", "017", "0o17", "0x1F", "0b101", "1_000",
        "1:30", "190:20:30", "1.5", "-1.5e3", "1e3", ".5", ".inf", "-.INF", "+.Inf", ".nan", ".NaN", "2024-05-01", "2024-05-01T03:00:00Z",
        "2024-5-1 3:00:00", "<<", "=", "files", "tier-1-critical", "/srv/app", "*.tmp", "svc-1", "0 2 * * *", "5m", "1h30m", "-", "+", ".",
        "Europe/Berlin", "über", "#x", "@x", "12abc", "0.0.1", "--", "~x", "<", "==",
    ])
    func matchesYams(text: String) {
        #expect(ScalarTag.resolve(plain: text) == Resolver.default.resolveTag(of: Node(text)), "\(text)")
    }

    @Test("explicit and quoted tags win over the text")
    func explicit() throws {
        let node = try #require(try Yams.compose(yaml: "a: '8080'\nb: !!str yes\nc: 8080\nd: yes\n", .basic))
        let tags = try #require(node.mapping).map { ScalarTag.resolve(try #require($0.value.scalar)) }
        #expect(tags == [.str, .str, .int, .bool])
    }
}
