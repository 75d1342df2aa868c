extension Service {
    /// `tier`, `source` and `checks`, then the tier fields a service may set for itself.
    static let keys = ["tier", "source", "checks"] + Tier.keys
    static let example = "app-files: { tier: tier-2-important, source: { type: files, paths: [/srv/app] } }"

    /// Reads the `services:` section (absent or null means none), checking each tier against `tiers`
    /// and resolving relative source paths against `directory`.
    static func parseAll(_ node: ConfigNode?, tiers: [Tier], directory: String) throws -> [Service] {
        guard let node, !node.isNull else { return [] }
        let mapping = try node.mapping("a mapping of service names to their settings", example: "services: { \(example) }")
        return try mapping.entries.map { entry in
            guard isValidName(entry.key) else {
                throw entry.value.error(
                    "invalid service name: it names a folder, so use letters, digits, \".\", \"_\" and \"-\", "
                        + "starting with a letter or digit (e.g. app-files)",
                    line: entry.value.keyLine)
            }
            return try parse(entry.value, name: entry.key, tiers: tiers, directory: directory)
        }
    }

    private static func parse(_ node: ConfigNode, name: String, tiers: [Tier], directory: String) throws -> Service {
        let mapping = try node.mapping("a mapping of service settings", example: example, validKeys: keys)
        var tier = Tier.defaultName
        if let tierNode = mapping.present("tier") {
            tier = try tierNode.string("a tier name", example: "tier: tier-1-critical")
            let known = tiers.map(\.name)
            guard known.contains(tier) else {
                let hint = ConfigDiagnostics.suggestion(for: tier, among: known).map { "did you mean \"\($0)\"? " } ?? ""
                throw tierNode.error("unknown tier \"\(tier)\"; \(hint)(known tiers: \(known.joined(separator: ", ")))")
            }
        }
        let overrides = try TierOverrides.parse(mapping)
        let source = try Source.parse(mapping.required("source", example: "source: { type: files, paths: [/srv/app] }"),
                                      directory: directory)
        let checks = try CheckSpec.parseAll(mapping.present("checks"), source: source)
        return Service(name: name, tier: tier, source: source, checks: checks, overrides: overrides)
    }
}
