import ArgumentParser
import Foundation
import LifeboatKit

/// A `--at` value: an ISO 8601 time (`2026-11-25T07:30:00Z`, with an offset, or a bare date).
/// ArgumentParser rejects anything else with a usage error (exit 2) naming the option.
struct Moment: ExpressibleByArgument {
    let date: Date

    init?(argument: String) {
        guard let date = Timestamp.parse(argument) else { return nil }
        self.date = date
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// A duration on the command line (`30s`, `12h`, `7d`, `1h30m`).
extension LifeboatDuration: ExpressibleByArgument {
    public init?(argument: String) {
        guard let duration = try? LifeboatDuration(parsing: argument) else { return nil }
        self = duration
    }
}
