extension Tier {
    static let keys = ["rto", "rpo", "full", "incremental", "keep", "verify", "drill"]
    static let example = #"tier-4-archive: { rto: 48h, rpo: 24h, full: "0 3 * * 0", incremental: "0 3 * * *" }"#

    /// Reads the `tiers:` section (absent or null means "the built-ins as they are").
    ///
    /// A built-in tier named here keeps every field the file does not set (`keep` is replaced as a
    /// whole, `verify: null` turns verification off); a new tier must set `rto`, `rpo`, `full` and
    /// `incremental`, and gets the built-ins' `keep` when it sets none.
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
        // Each field: the file's value, else the built-in's, else an error (a new tier's key is required).
        func duration(_ key: String, _ fallback: LifeboatDuration?) throws -> LifeboatDuration {
            if let node = mapping.present(key) { return try node.positiveDuration(example: "\(key): 1h") }
            if let fallback { return fallback }
            throw mapping.missing(key, example: "\(key): 1h")
        }
        func cron(_ key: String, _ fallback: CronExpression?) throws -> CronExpression {
            let example = #"\#(key): "0 2 * * *""#
            if let node = mapping.present(key) {
                let text = try node.string("a cron expression", example: example)
                return try node.located { try CronExpression(parsing: text) }
            }
            if let fallback { return fallback }
            throw mapping.missing(key, example: example)
        }
        // `verify` and `drill`: absent keeps the fallback, null turns the schedule off.
        func optionalCron(_ key: String, _ fallback: CronExpression?) throws -> CronExpression? {
            guard let node = mapping[key] else { return fallback }
            return node.isNull ? nil : try cron(key, nil)
        }
        return Tier(
            name: name,
            rto: try duration("rto", base?.rto),
            rpo: try duration("rpo", base?.rpo),
            full: try cron("full", base?.full),
            incremental: try cron("incremental", base?.incremental),
            keep: try mapping.present("keep").map(KeepPolicy.parse) ?? base?.keep ?? .thirtyDays,
            verify: try optionalCron("verify", base?.verify),
            drill: try optionalCron("drill", base?.drill))
    }
}

extension KeepPolicy {
    static let keys = ["last", "hourly", "daily", "weekly", "monthly", "yearly", "within"]
    static let example = "keep: { within: 7d, daily: 30, weekly: 8, monthly: 12 }"

    static func parse(_ node: ConfigNode) throws -> KeepPolicy {
        let mapping = try node.mapping("a mapping of retention rules", example: example, validKeys: keys)
        func count(_ key: String) throws -> Int? {
            try mapping.present(key)?.int("a count of at least 1", example: "\(key): 7", in: 1...1_000_000)
        }
        let policy = KeepPolicy(
            last: try count("last"), hourly: try count("hourly"), daily: try count("daily"),
            weekly: try count("weekly"), monthly: try count("monthly"), yearly: try count("yearly"),
            within: try mapping.present("within")?.positiveDuration(example: "within: 30d"))
        guard !policy.isEmpty else {
            throw node.error("keep sets no rule, so nothing would be kept; "
                + "set at least one of \(keys.joined(separator: ", ")) (e.g. \(example))")
        }
        return policy
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
}
