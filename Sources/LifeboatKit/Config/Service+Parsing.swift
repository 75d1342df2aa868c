extension Service {
    static let keys = ["tier", "source", "checks"]
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
        let source = try Source.parse(mapping.required("source", example: "source: { type: files, paths: [/srv/app] }"),
                                      directory: directory)
        let checks = try mapping.present("checks")?.stringList(
            "a list of checks", item: "a check (text)", example: #"checks: ["test -s /srv/app/index.html"]"#) ?? []
        return Service(name: name, tier: tier, source: source, checks: checks)
    }
}

extension Source {
    /// Reads a `source:` mapping; its `type` decides which other keys are valid.
    static func parse(_ node: ConfigNode, directory: String) throws -> Source {
        let example = "source: { type: files, paths: [/srv/app], exclude: [\"*.tmp\"] }"
        let typeNode = try node.mapping("a mapping with a type", example: example).required("type", example: "type: files")
        let type = try typeNode.string("a source type (\(supportedTypes.joined(separator: ", ")))", example: "type: files")
        guard supportedTypes.contains(type) else {
            let supported = "supported: \(supportedTypes.joined(separator: ", "))"
            if plannedTypes.contains(type) {
                throw typeNode.error("source type \"\(type)\" is not supported by this version yet (\(supported))")
            }
            let all = supportedTypes + plannedTypes
            let hint = ConfigDiagnostics.suggestion(for: type, among: all).map { "did you mean \"\($0)\"? " } ?? ""
            throw typeNode.error("unknown source type \"\(type)\"; \(hint)(\(supported))")
        }
        let mapping = try node.mapping("a mapping", example: example, validKeys: ["type", "paths", "exclude"])
        let pathsNode = try mapping.required("paths", example: "paths: [/srv/app]")
        let paths = try filePaths(pathsNode, directory: directory)
        let exclude = try mapping.present("exclude")?.list("a list of glob patterns", example: #"exclude: ["*.tmp", "cache/"]"#)
            .map { (item: ConfigNode) throws -> String in
                let pattern = try item.string("a glob pattern (text)", example: #"exclude: ["*.tmp"]"#)
                guard !pattern.isEmpty else { throw item.error("an empty pattern matches nothing; remove it") }
                return pattern
            } ?? []
        return .files(paths: paths, exclude: exclude)
    }

    /// The `paths` list: absolute, normalised, not `/`, none repeating or inside another.
    private static func filePaths(_ node: ConfigNode, directory: String) throws -> [String] {
        let items = try node.list("a list of paths", example: "paths: [/srv/app]")
        guard !items.isEmpty else { throw node.error("the list is empty; name at least one path (e.g. paths: [/srv/app])") }
        var paths: [String] = []
        for item in items {
            let written = try item.string("a path", example: "paths: [/srv/app]")
            guard !written.isEmpty else { throw item.error("the path is empty (e.g. paths: [/srv/app])") }
            guard !written.hasPrefix("~") else {
                throw item.error("\"~\" is not expanded; write the absolute path (e.g. /home/alice/docs)")
            }
            let path = ConfigPath.absolute(written, relativeTo: directory)
            guard path != "/" else {
                throw item.error("backing up \"/\" itself is refused; list the folders to protect (e.g. paths: [/etc, /srv])")
            }
            for (index, other) in paths.enumerated() {
                let relation = path == other ? "repeats" : ConfigPath.isSameOrInside(path, other) ? "lies inside"
                    : ConfigPath.isSameOrInside(other, path) ? "contains" : nil
                if let relation {
                    throw item.error("\(path) \(relation) \(node.path)[\(index)] (\(other)); "
                        + "list each tree once and use exclude to leave parts out")
                }
            }
            paths.append(path)
        }
        return paths
    }
}
