import Foundation

extension Tier {
    static let keys = ["rto", "rpo", "full", "incremental", "keep", "verify", "drill", "timezone", "copy_to"]
    static let example = #"tier-4-archive: { rto: 48h, rpo: 24h, full: "0 3 * * 0", incremental: "0 3 * * *" }"#

    /// Reads the `tiers:` section (absent or null means "the built-ins as they are").
    ///
    /// A built-in tier named here keeps every field the file does not set (`keep` is replaced as a
    /// whole, `verify: null` turns verification off); a new tier must set `rto`, `rpo`, `full` and
    /// `incremental`, and gets the built-ins' `keep` and UTC when it sets none.
    static func parseAll(_ node: ConfigNode?) throws -> [Tier] {
        var tiers = Tier.defaults
        guard let node, !node.isNull else { return tiers }
        let mapping = try node.mapping("a mapping of tier names to their settings", example: "tiers: { \(example) }")
        for entry in mapping.entries {
            guard Service.isValidName(entry.key) else {
                throw entry.value.error(
                    "invalid tier name: use letters, digits, \".\", \"_\" and \"-\", "
                        + "starting with a letter or digit (e.g. tier-4-archive)",
                    line: entry.value.keyLine)
            }
            if let index = Tier.defaults.firstIndex(where: { $0.name == entry.key }) {
                tiers[index] = try parse(entry.value, name: entry.key, base: tiers[index])
            } else {
                tiers.append(try parse(entry.value, name: entry.key, base: nil))
            }
        }
        return tiers
    }

    private static func parse(_ node: ConfigNode, name: String, base: Tier?) throws -> Tier {
        let mapping = try node.mapping("a mapping of tier settings", example: example, validKeys: keys)
        let fields = try TierOverrides.parse(mapping)
        if let base { return fields.applied(to: base) }
        // A new tier: the four keys without a built-in value are required.
        func required<Value>(_ value: Value?, _ key: String, example: String) throws -> Value {
            guard let value else { throw mapping.missing(key, example: example) }
            return value
        }
        let tier = Tier(
            name: name,
            rto: try required(fields.rto, "rto", example: "rto: 1h"),
            rpo: try required(fields.rpo, "rpo", example: "rpo: 1h"),
            full: try required(fields.full, "full", example: #"full: "0 2 * * *""#),
            incremental: try required(fields.incremental, "incremental", example: #"incremental: "0 2 * * *""#),
            keep: .thirtyDays)
        return fields.applied(to: tier)
    }
}

extension TierOverrides {
    /// Reads the tier fields (`Tier.keys`) present in `mapping`: a tier's settings, or a service's
    /// beside `tier:`. Other keys are left to the caller; null counts as absent, except that
    /// `verify: null` and `drill: null` turn those schedules off.
    static func parse(_ mapping: ConfigMapping) throws -> TierOverrides {
        func cron(_ key: String) throws -> CronExpression? {
            guard let node = mapping.present(key) else { return nil }
            let text = try node.string("a cron expression", example: #"\#(key): "0 2 * * *""#)
            let expression = try node.located { try CronExpression(parsing: text) }
            if let problem = expression.monthProblem {
                guard !problem.isError else { throw node.error(problem.message) }
                node.warn(problem.message)
            }
            return expression
        }
        func schedule(_ key: String) throws -> CronExpression?? {
            guard let node = mapping[key] else { return nil }
            return node.isNull ? .some(nil) : .some(try cron(key))
        }
        var overrides = TierOverrides(
            rto: try mapping.present("rto")?.positiveDuration(example: "rto: 1h"),
            rpo: try mapping.present("rpo")?.positiveDuration(example: "rpo: 1h"),
            full: try cron("full"),
            incremental: try cron("incremental"),
            keep: try mapping.present("keep").map(KeepPolicy.parse),
            verify: try schedule("verify"),
            drill: try schedule("drill"),
            timeZone: try mapping.present("timezone")?.timeZone())
        overrides.copyTo = try mapping.present("copy_to")?.stringList("a list of repository names", item: "a repository name", example: "copy_to: [offsite]")
        return overrides
    }
}

extension KeepPolicy {
    static let keys = ["last", "hourly", "daily", "weekly", "monthly", "yearly", "within"]
    static let example = "keep: { within: 7d, daily: 30, weekly: 8, monthly: 12 }"
    static let kindExample = "keep: { within: 30d, incremental: { within: 7d } }"

    static func parse(_ node: ConfigNode) throws -> KeepPolicy {
        try parse(node, kinds: true)
    }

    private static func parse(_ node: ConfigNode, kinds: Bool) throws -> KeepPolicy {
        let valid = kinds ? keys + ["full", "incremental"] : keys
        let mapping = try node.mapping("a mapping of retention rules", example: kinds ? example : "incremental: { within: 7d }", validKeys: valid)
        func count(_ key: String) throws -> Int? {
            try mapping.present(key)?.int("a count of at least 1", example: "\(key): 7", in: 1...1_000_000)
        }
        let policy = KeepPolicy(
            last: try count("last"), hourly: try count("hourly"), daily: try count("daily"),
            weekly: try count("weekly"), monthly: try count("monthly"), yearly: try count("yearly"),
            within: try mapping.present("within")?.positiveDuration(example: "within: 30d"))
        var rules = policy
        if kinds {
            for kind in [BackupRecord.Kind.full, .incremental] {
                if let nested = mapping.present(kind.rawValue) { rules.byKind[kind] = try parse(nested, kinds: false) }
            }
        }
        guard !rules.isEmpty else {
            throw node.error("keep sets no rule, so nothing would be kept; "
                + "set at least one of \(keys.joined(separator: ", ")) (e.g. \(example))")
        }
        return rules
    }
}

extension ConfigNode {
    /// A duration longer than zero, such as `rto: 1h`.
    func positiveDuration(example: String) throws -> LifeboatDuration {
        let text = try string("a duration such as \(LifeboatDuration.examples)", example: example)
        let duration = try located { try LifeboatDuration(parsing: text) }
        guard duration.seconds > 0 else { throw error("must be longer than 0s (e.g. \(example))") }
        return duration
    }

    /// A time zone by its IANA name, such as `timezone: Europe/Berlin` (names are case-sensitive).
    func timeZone() throws -> TimeZone {
        let example = "timezone: Europe/Berlin"
        let name = try string("an IANA time zone name", example: example)
        guard let zone = TimeZone(identifier: name) else {
            let hint = ConfigDiagnostics.suggestion(for: name, among: ["UTC"] + TimeZone.knownTimeZoneIdentifiers)
                .map { " (did you mean \"\($0)\"?)" } ?? ""
            throw error("unknown time zone \"\(name)\"; use an IANA name such as UTC or Europe/Berlin\(hint)")
        }
        return zone
    }
}
