import Foundation

/// The tier fields a service sets for itself, beside `tier:` (`rpo: 2m`); `nil` keeps the tier's value.
///
/// The same rules apply as to a built-in tier changed under `tiers:`: `keep` replaces the tier's policy
/// as a whole, and `verify`/`drill` have three states — `nil` keeps the tier's schedule, `.some(nil)`
/// turns it off (`verify: null`), `.some(expression)` replaces it.
public struct TierOverrides: Sendable, Hashable {
    public var rto: LifeboatDuration?
    public var rpo: LifeboatDuration?
    public var full: CronExpression?
    public var incremental: CronExpression?
    public var keep: KeepPolicy?
    public var verify: CronExpression??
    public var drill: CronExpression??
    public var timeZone: TimeZone?
    public var copyTo: [String]?

    public init(
        rto: LifeboatDuration? = nil, rpo: LifeboatDuration? = nil, full: CronExpression? = nil,
        incremental: CronExpression? = nil, keep: KeepPolicy? = nil, verify: CronExpression?? = nil,
        drill: CronExpression?? = nil, timeZone: TimeZone? = nil
    ) {
        self.rto = rto
        self.rpo = rpo
        self.full = full
        self.incremental = incremental
        self.keep = keep
        self.verify = verify
        self.drill = drill
        self.timeZone = timeZone
    }

    /// True when no field is overridden.
    public var isEmpty: Bool { self == TierOverrides() }

    /// `tier` with the overridden fields replaced; its name stays.
    public func applied(to tier: Tier) -> Tier {
        var result = tier
        result.rto = rto ?? tier.rto
        result.rpo = rpo ?? tier.rpo
        result.full = full ?? tier.full
        result.incremental = incremental ?? tier.incremental
        result.keep = keep ?? tier.keep
        result.verify = verify ?? tier.verify
        result.drill = drill ?? tier.drill
        result.timeZone = timeZone ?? tier.timeZone
        result.copyTo = copyTo ?? tier.copyTo
        return result
    }
}
