import Foundation

/// A class of service: recovery targets, backup cadence, retention, verification and drills.
///
/// Three tiers are built in (`Tier.defaults`); `lifeboat.yaml` may change any of their fields and add
/// tiers of its own, and a service may change any field for itself (`TierOverrides`,
/// `LifeboatConfig.tier(for:)`). Schedules are read on the wall clock of `timeZone`.
public struct Tier: Sendable, Hashable {
    public var name: String
    /// Recovery time objective: the longest a recovery may take.
    public var rto: LifeboatDuration
    /// Recovery point objective: the most data (as time) a recovery may lose.
    public var rpo: LifeboatDuration
    /// When full backups run.
    public var full: CronExpression
    /// When incremental backups run.
    public var incremental: CronExpression
    public var keep: KeepPolicy
    /// When restores are verified; `nil` when never scheduled.
    public var verify: CronExpression?
    /// When drills run; `nil` when never scheduled.
    public var drill: CronExpression?
    /// The time zone whose wall clock the schedules are read on (`timezone: Europe/Berlin`); UTC unless
    /// set. Pass it to `CronExpression.next(after:in:)`.
    public var timeZone: TimeZone
    /// Repositories (names under `repositories:`) that `run-due` copies each new backup to.
    public var copyTo: [String] = []

    public init(
        name: String, rto: LifeboatDuration, rpo: LifeboatDuration, full: CronExpression,
        incremental: CronExpression, keep: KeepPolicy, verify: CronExpression? = nil, drill: CronExpression? = nil,
        timeZone: TimeZone = Tier.defaultTimeZone
    ) {
        self.name = name
        self.rto = rto
        self.rpo = rpo
        self.full = full
        self.incremental = incremental
        self.keep = keep
        self.verify = verify
        self.drill = drill
        self.timeZone = timeZone
    }

    /// UTC: the time zone of the built-in tiers and of any tier that sets none.
    public static let defaultTimeZone = TimeZone(identifier: "UTC")!

    /// The tier a service gets when its configuration names none.
    public static let defaultName = "tier-3-standard"

    /// The built-in tiers, most critical first; their schedules run in UTC. Incrementals run well inside
    /// the RPO (every 2 minutes for 5, 5 for 15, 15 for 60), so that the newest recovery point stays
    /// younger than the RPO with minutes to spare for the backup itself; every tier verifies a restore
    /// weekly (the operations documents ask for weekly test restores).
    public static let defaults: [Tier] = [
        Tier(name: "tier-1-critical", rto: .hours(1), rpo: .minutes(5),
             full: .builtIn("0 2 * * *"), incremental: .builtIn("*/2 * * * *"), keep: .thirtyDays,
             verify: .builtIn("weekly"), drill: .builtIn("quarterly")),
        Tier(name: "tier-2-important", rto: .hours(4), rpo: .minutes(15),
             full: .builtIn("0 2 * * *"), incremental: .builtIn("*/5 * * * *"), keep: .thirtyDays,
             verify: .builtIn("weekly")),
        Tier(name: "tier-3-standard", rto: .hours(24), rpo: .hours(1),
             full: .builtIn("0 2 * * 0"), incremental: .builtIn("*/15 * * * *"), keep: .thirtyDays,
             verify: .builtIn("weekly")),
    ]
}

extension CronExpression {
    /// An expression written in this source; the tests parse every one of them.
    fileprivate static func builtIn(_ text: String) -> CronExpression {
        try! CronExpression(parsing: text)
    }
}
