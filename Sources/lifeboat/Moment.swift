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

    /// Refuses a time more than a minute ahead for a command that acts: what it does (backups, removals)
    /// happens now and is stamped with the real clock, so a future `--at` would not rehearse anything,
    /// only act on decisions made for a moment that has not come.
    static func refuseFuture(_ moment: Moment?, command: String, instead: String) throws {
        guard let moment, moment.date.timeIntervalSinceNow > 60 else { return }
        throw ValidationError("--at \(Timestamp.format(moment.date)) is in the future: `lifeboat \(command)` acts now, with the real clock, "
                              + "so it cannot rehearse a later time; \(instead)")
    }
}

/// A duration on the command line (`30s`, `12h`, `7d`, `1h30m`).
extension LifeboatDuration: ExpressibleByArgument {
    public init?(argument: String) {
        guard let duration = try? LifeboatDuration(parsing: argument) else { return nil }
        self = duration
    }
}
