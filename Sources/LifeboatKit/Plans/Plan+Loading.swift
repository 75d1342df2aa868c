extension Plan {
    static let keys = ["name", "tier", "rto", "services", "parallel", "vars", "steps"]
    static let parallelRange = 1...64
    static let guide = "Plans/README.md"

    /// Reads and validates a plan file (relative paths are taken against the current folder).
    ///
    /// - Throws: `LifeboatError` (`.configuration`): the file is missing or unreadable, or invalid
    ///   (see `parse(yaml:file:config:)`).
    public static func load(file: String, config: LifeboatConfig) throws -> Plan {
        try parse(yaml: ConfigDocument.read(file, what: "plan", guide: guide), file: file, config: config)
    }

    /// Parses and validates the text of a plan; `file` names it in messages and in `Plan.file`.
    ///
    /// Services and tiers are checked against `config`, and every `{{placeholder}}` against `vars:`;
    /// placeholders stay as written (see `resolved(with:)`).
    /// - Throws: `LifeboatError` (`.configuration`) whose message starts `file:line: key.path:`. Type
    ///   errors and unknown keys throw at the first one; the problems of the step graph (duplicate
    ///   ids, unknown or self `needs`, cycles) are all reported together, one line each.
    public static func parse(yaml: String, file: String, config: LifeboatConfig) throws -> Plan {
        let top = try ConfigDocument.root(yaml: yaml, file: file)
        let mapping = try top.mapping("a mapping of plan settings (\(keys.joined(separator: ", ")))",
                                      example: "name: files-recovery", validKeys: keys)
        let name = try planName(mapping.required("name", example: "name: files-recovery"))
        let (tier, rto) = try timing(mapping, config: config)
        let services = try services(mapping.required("services", example: "services: [app-files]"), config: config)
        let parallel = try mapping.present("parallel")?.int(
            "a number of steps from \(parallelRange.lowerBound) to \(parallelRange.upperBound)", example: "parallel: 4",
            in: parallelRange) ?? defaultParallel
        let variables = try variables(mapping.present("vars"))

        let stepsExample = #"steps: [{ id: stop-app, run: "systemctl stop app" }]"#
        let stepsNode = try mapping.required("steps", example: stepsExample)
        let items = try stepsNode.list("a list of steps", example: stepsExample)
        guard !items.isEmpty else { throw stepsNode.error("the plan has no steps; add at least one (e.g. \(stepsExample))") }
        let servicePaths = ServicePaths.values(config)
        let context = PlanStep.Context(services: services, variables: variables.keys.sorted(),
                                       configuredServices: config.services.map(\.name), builtIns: servicePaths.keys.sorted())
        let parsed = try items.map { try PlanStep.parse($0, context: context) }
        try PlanStep.checkGraph(parsed)
        return try Plan(name: name, file: file, tier: tier, rto: rto, services: services, parallel: parallel,
                        variables: variables, steps: parsed.map(\.step)).filling(servicePaths)
    }

    private static func planName(_ node: ConfigNode) throws -> String {
        let name = try node.string("a plan name", example: "name: files-recovery")
        guard Service.isValidName(name) else {
            throw node.error("invalid plan name: use letters, digits, \".\", \"_\" and \"-\", "
                + "starting with a letter or digit (e.g. name: files-recovery)")
        }
        return name
    }

    /// `tier` and `rto`: the RTO is `rto` when given, else the tier's; one of them is required.
    private static func timing(_ mapping: ConfigMapping, config: LifeboatConfig) throws -> (String?, LifeboatDuration) {
        var tier: Tier?
        if let node = mapping.present("tier") {
            let name = try node.string("a tier name", example: "tier: tier-1-critical")
            let known = config.tiers.map(\.name)
            guard let found = config.tiers.first(where: { $0.name == name }) else {
                throw node.error("unknown tier \"\(name)\"; \(ConfigNode.hint(name, among: known))"
                    + "(known tiers: \(known.joined(separator: ", ")))")
            }
            tier = found
        }
        let rto = try mapping.present("rto")?.positiveDuration(example: "rto: 30m")
        guard let effective = rto ?? tier?.rto else {
            throw mapping.owner.error("missing key \"tier\" or \"rto\": a plan is timed against an RTO, its tier's "
                + "or its own (e.g. tier: tier-1-critical, or rto: 30m)", line: mapping.owner.keyLine ?? mapping.owner.line)
        }
        return (tier?.name, effective)
    }

    /// `services`: one name or a list, each a service of the configuration, none twice.
    private static func services(_ node: ConfigNode, config: LifeboatConfig) throws -> [String] {
        let example = "services: [app-files, app-db]"
        let items = try node.oneOrMany("a service name or a list of them", item: "a service name", example: example)
        guard !items.isEmpty else { throw node.error("the list is empty; name the services the plan recovers (e.g. \(example))") }
        let known = config.services.map(\.name)
        var services: [String] = []
        for (name, item) in items {
            guard known.contains(name) else {
                let list = known.isEmpty ? "\(config.filePath) defines no services"
                    : "services in \(config.filePath): \(known.joined(separator: ", "))"
                throw item.error("unknown service \"\(name)\"; \(ConfigNode.hint(name, among: known))(\(list))")
            }
            guard !services.contains(name) else { throw item.error("service \"\(name)\" is listed twice; list it once") }
            services.append(name)
        }
        return services
    }

    /// `vars`: placeholder names to their default (text; numbers and booleans as written) or null
    /// (a value must be given at run time).
    private static func variables(_ node: ConfigNode?) throws -> [String: String?] {
        guard let node else { return [:] }
        let example = "vars: { target: /, host: null }"
        let mapping = try node.mapping("a mapping of placeholder names to default values", example: example)
        var variables: [String: String?] = [:]
        for entry in mapping.entries {
            guard Placeholder.isValidName(entry.key), !entry.key.contains(".") else {
                throw entry.value.error("invalid var name: use letters, digits, \"_\" and \"-\", starting with a letter "
                    + "(names with a dot are the built-in service paths, such as {{files.path}}) (e.g. \(example))", line: entry.value.keyLine)
            }
            if entry.value.isNull {
                variables[entry.key] = .some(nil)
            } else {
                variables[entry.key] = try entry.value.writtenText(
                    "a default value (text), or null to require one at run time", example: example)
            }
        }
        return variables
    }
}
