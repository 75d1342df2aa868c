/// How many recovery points a tier keeps: the union of the rules that are set (restic/borg style).
///
/// `last` keeps the newest N backups; `hourly`…`yearly` keep the newest backup of each of the last N
/// such periods; `within` keeps every backup younger than that. `nil` means the rule is not used.
/// A policy from `lifeboat.yaml` always sets at least one rule, each to at least 1.
///
/// `byKind` holds rules of their own for `full` or `incremental` backups (`keep: { within: 30d,
/// incremental: { within: 7d } }`): backups of such a kind are kept by those rules only, the others
/// by the top-level ones. A kept backup's chain is kept whatever its kind (``RetentionPolicy``).
public struct KeepPolicy: Sendable, Hashable {
    public var last: Int?
    public var hourly: Int?
    public var daily: Int?
    public var weekly: Int?
    public var monthly: Int?
    public var yearly: Int?
    public var within: LifeboatDuration?
    /// Rules of their own, by kind (`full`, `incremental`); never nested further.
    public var byKind: [BackupRecord.Kind: KeepPolicy] = [:]

    public init(
        last: Int? = nil, hourly: Int? = nil, daily: Int? = nil, weekly: Int? = nil,
        monthly: Int? = nil, yearly: Int? = nil, within: LifeboatDuration? = nil,
        byKind: [BackupRecord.Kind: KeepPolicy] = [:]
    ) {
        self.byKind = byKind
        self.last = last
        self.hourly = hourly
        self.daily = daily
        self.weekly = weekly
        self.monthly = monthly
        self.yearly = yearly
        self.within = within
    }

    /// The built-in tiers' policy: every backup of the last 30 days, and one a day for 30 days.
    public static let thirtyDays = KeepPolicy(daily: 30, within: .days(30))

    /// True when no rule is set (such a policy would keep nothing).
    public var isEmpty: Bool {
        topLevelIsEmpty && byKind.values.allSatisfy(\.isEmpty)
    }

    /// True when no top-level rule is set (rules of a kind may be).
    public var topLevelIsEmpty: Bool {
        last == nil && hourly == nil && daily == nil && weekly == nil && monthly == nil && yearly == nil
            && within == nil
    }
}
