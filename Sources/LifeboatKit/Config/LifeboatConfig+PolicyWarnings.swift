import Foundation

extension LifeboatConfig {
    /// Warnings, in service order, for each service whose incremental backups cannot meet its RPO.
    ///
    /// A service is warned about when the longest interval between two consecutive incremental runs
    /// of its tier (`tier(for:)`, so with its own overrides) is longer than its RPO, or when that
    /// interval plus the measured duration of its backups (`measuredDurations[service.name]`, when
    /// given) is: the newest finished recovery point can then be older than the RPO allows. Each
    /// warning names the service, the interval, the RPO and any measured duration used, and says what
    /// would meet the RPO, e.g. `service app: incrementals every 1h cannot meet its RPO of 15m; …`.
    ///
    /// Intervals are found by stepping `CronExpression.next(after:in:)` over two weeks from Monday
    /// 2024-01-01 00:00 on the wall clock of the tier's time zone. No time zone in Foundation's
    /// database changes its offset in that fortnight, so the hour that a local-time schedule skips once
    /// a year when daylight-saving time ends (an hourly schedule runs 2h apart) is not counted.
    ///
    /// The intervals of each distinct schedule and time zone are measured once (`ScheduleIntervals`):
    /// thousands of services share a handful of tiers, and measuring costs thousands of
    /// `next(after:in:)` steps, so measuring per service made `config check` take seconds per
    /// thousand services.
    public func policyWarnings(measuredDurations: [String: LifeboatDuration] = [:]) -> [String] {
        var intervals = ScheduleIntervals()
        return policyWarnings(measuredDurations: measuredDurations, intervals: &intervals)
    }

    func policyWarnings(measuredDurations: [String: LifeboatDuration], intervals: inout ScheduleIntervals) -> [String] {
        services.compactMap { service in
            let tier: Tier
            do {
                tier = try self.tier(for: service)
            } catch {
                return "service \(service.name): \(error)"
            }
            return Self.rpoWarning(
                service: service.name, incremental: tier.incremental,
                intervals: intervals.of(tier.incremental, in: tier.timeZone), rpo: tier.rpo,
                measured: measuredDurations[service.name])
        }
    }

    private static func rpoWarning(
        service: String, incremental: CronExpression, intervals: ScheduleIntervals.Intervals?, rpo: LifeboatDuration,
        measured: LifeboatDuration?
    ) -> String? {
        let prefix = "service \(service):"
        guard let intervals else {
            return "\(prefix) incrementals never run (\"\(incremental)\"), so nothing can meet its RPO of \(rpo); "
                + "fix the tier's incremental schedule"
        }
        let cadence = intervals.shortest == intervals.longest
            ? "incrementals every \(intervals.longest)" : "incrementals up to \(intervals.longest) apart"
        if intervals.longest > rpo {
            return "\(prefix) \(cadence) cannot meet its RPO of \(rpo); run them at least every \(rpo), or raise the RPO"
        }
        guard let measured, intervals.longest.seconds + measured.seconds > rpo.seconds else { return nil }
        let problem = "\(prefix) \(cadence) plus its measured backup duration of \(measured) cannot meet its RPO of \(rpo)"
        guard measured < rpo else {
            return "\(problem); the backup alone takes at least as long as the RPO, so make it faster or raise the RPO"
        }
        let needed = LifeboatDuration(seconds: rpo.seconds - measured.seconds)
        return "\(problem); run them at least every \(needed), make the backup faster, or raise the RPO"
    }
}

/// The intervals of schedules, each measured once per time zone.
struct ScheduleIntervals {
    typealias Intervals = (shortest: LifeboatDuration, longest: LifeboatDuration)

    /// A schedule read on one time zone's wall clock: what the intervals depend on.
    private struct Key: Hashable {
        let expression: CronExpression
        let timeZone: String
    }

    private var known: [Key: Intervals?] = [:]
    /// How many schedules were measured: the distinct (schedule, time zone) pairs asked for.
    var measured: Int { known.count }

    /// `expression.intervals(overTwoWeeksIn: timeZone)`, measured the first time it is asked for.
    mutating func of(_ expression: CronExpression, in timeZone: TimeZone) -> Intervals? {
        let key = Key(expression: expression, timeZone: timeZone.identifier)
        if let found = known[key] { return found }
        let found = expression.intervals(overTwoWeeksIn: timeZone)
        known[key] = .some(found)
        return found
    }
}

extension CronExpression {
    /// The first instant of the fortnight over which `intervals(overTwoWeeksIn:)` measures: Monday
    /// 2024-01-01 00:00 on the wall clock.
    private static let referenceWallTime = DateComponents(year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 0)

    /// The shortest and longest time between two consecutive runs, over two weeks from
    /// `referenceWallTime` in `timeZone`; `nil` when the schedule never runs again after it. At least
    /// one interval is measured, so a monthly schedule gets one from its first two runs.
    func intervals(overTwoWeeksIn timeZone: TimeZone) -> (shortest: LifeboatDuration, longest: LifeboatDuration)? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard let start = calendar.date(from: Self.referenceWallTime),
              let end = calendar.date(byAdding: .day, value: 14, to: start),
              var previous = next(after: start, in: timeZone) else { return nil }
        var shortest = Int64.max, longest = Int64.min
        repeat {
            guard let run = next(after: previous, in: timeZone) else { break }
            let seconds = Int64(run.timeIntervalSince(previous).rounded())
            shortest = min(shortest, seconds)
            longest = max(longest, seconds)
            previous = run
        } while previous < end
        guard longest >= 0 else { return nil }
        return (LifeboatDuration(seconds: shortest), LifeboatDuration(seconds: longest))
    }
}
