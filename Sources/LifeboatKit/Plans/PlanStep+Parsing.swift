extension PlanStep {
    /// The action keys; a step has exactly one.
    static let kinds = ["run", "restore", "verify", "wait", "approval"]
    static let keys = ["id"] + kinds
        + ["env", "workdir", "needs", "timeout", "retries", "retry_delay", "rollback", "continue_on_error", "critical"]
    static let retriesRange = 0...100
    static let example = #"{ id: stop-app, run: "systemctl stop app" }"#

    /// What a step is checked against: the plan's services and declared vars.
    struct Context {
        let services: [String]
        /// The names declared in `vars:`, sorted.
        let variables: [String]
        /// Every service of the configuration, for a better message about one the plan does not list.
        let configuredServices: [String]
        /// Built-in placeholders (`files.path`...), usable without being declared.
        var builtIns: [String] = []
    }

    /// A step as read, with the nodes the graph check points at.
    struct Parsed {
        let step: PlanStep
        let idNode: ConfigNode
        /// The `needs:` node, when there is one.
        let needsNode: ConfigNode?
        /// Each needed id with the node it was written at.
        let needs: [(id: String, node: ConfigNode)]
    }

    /// Reads one item of `steps:`; `needs` are checked later, by `checkGraph`, with the other steps.
    static func parse(_ item: ConfigNode, context: Context) throws -> Parsed {
        let mapping = try item.mapping("a step: a mapping with an id and one of \(kinds.joined(separator: ", "))",
                                       example: example, validKeys: keys)
        let idNode = try mapping.required("id", example: "id: stop-app")
        let id = try idNode.string("a step id", example: "id: stop-app")
        guard isValidID(id) else {
            throw idNode.error("invalid step id \"\(id)\": use letters, digits, \"_\" and \"-\" (e.g. id: stop-app)")
        }

        let found = kinds.filter { mapping[$0] != nil }
        guard let kind = found.first else {
            throw item.error("the step does nothing: give it one of \(kinds.joined(separator: ", ")) "
                + #"(e.g. run: "systemctl start app")"#, line: item.line)
        }
        guard found.count == 1 else {
            throw item.error("a step does one thing, and this one has \(listed(found)); split it into \(found.count) steps, "
                + "each later one with needs: [the one before]", line: item.line)
        }
        for key in ["env", "workdir"] where kind != "run" {
            if let node = mapping[key] {
                throw node.error("\(key) applies only to run steps (and their rollback); this is a \(kind) step",
                                 line: node.keyLine)
            }
        }
        let environment = try mapping.present("env").map(CommandSpec.environment) ?? [:]
        let workdir = try mapping.present("workdir").map(workdirPath)
        let node = mapping[kind]!
        let action: StepAction = switch kind {
        case "run": .run(withPlace(try CommandSpec.parse(node, key: "run"), environment, workdir))
        case "restore": .restore(try RestoreStep.parse(node, context: context))
        case "verify": .verify(try VerifyStep.parse(node, context: context))
        case "wait": try waitAction(node)
        default: .approval(prompt: try approvalPrompt(node))
        }

        let needsNode = mapping.present("needs")
        let needs = try needsNode?.oneOrMany("a step id or a list of them", item: "a step id", example: "needs: [stop-app]")
            .map { (id: $0.text, node: $0.node) } ?? []
        let rollback = try mapping.present("rollback").map {
            withPlace(try CommandSpec.parse($0, key: "rollback"), environment, workdir)
        }
        let continueOnError = try mapping.present("continue_on_error")?.bool(example: "continue_on_error: true") ?? false
        let critical = try mapping.present("critical")?.bool(example: "critical: true") ?? false
        if critical && continueOnError, let node = mapping["critical"] {
            throw node.error("critical and continue_on_error contradict each other: a critical failure stops the plan, "
                + "continue_on_error lets it go on; keep one", line: node.keyLine)
        }
        let step = PlanStep(
            id: id, action: action, needs: needs.map(\.id),
            timeout: try mapping.present("timeout")?.positiveDuration(example: "timeout: 30s"),
            retries: try mapping.present("retries")?.int("a number of retries from 0 to 100", example: "retries: 2",
                                                         in: retriesRange) ?? 0,
            retryDelay: try mapping.present("retry_delay")?.positiveDuration(example: "retry_delay: 5s") ?? .seconds(1),
            rollback: rollback, continueOnError: continueOnError, critical: critical, line: item.line)
        try checkPlaceholders(item, declared: context.variables, builtIns: context.builtIns)
        return Parsed(step: step, idNode: idNode, needsNode: needsNode, needs: needs)
    }

    /// Whether `id` matches `[A-Za-z0-9_-]+`.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.unicodeScalars.allSatisfy {
            ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
    }

    /// `a`, `a and b`, `a, b and c`.
    static func listed(_ words: [String]) -> String {
        words.count <= 1 ? words.joined() : words.dropLast().joined(separator: ", ") + " and " + words.last!
    }

    private static func withPlace(_ command: CommandSpec, _ environment: [String: String], _ workdir: String?) -> CommandSpec {
        CommandSpec(argv: command.argv, environment: environment, workdir: workdir)
    }

    private static func workdirPath(_ node: ConfigNode) throws -> String {
        let example = "workdir: /srv/app"
        let path = try node.string("a folder path", example: example)
        guard path.hasPrefix("/") || Placeholder.leadingName(path) != nil else {
            throw node.error("workdir must be an absolute path, or start with a placeholder (e.g. \(example), "
                + #"or workdir: "{{target}}/srv/app")"#)
        }
        return path
    }

    private static func approvalPrompt(_ node: ConfigNode) throws -> String {
        let example = #"approval: "Switch traffic to the standby?""#
        let prompt = try node.string("the question to ask (text)", example: example)
        guard !prompt.trimmingWhitespace.isEmpty else { throw node.error("the prompt is empty (e.g. \(example))") }
        return prompt
    }

    /// Every placeholder in the step's values must be declared in `vars:`.
    private static func checkPlaceholders(_ node: ConfigNode, declared: [String], builtIns: [String]) throws {
        switch node.node {
        case .scalar(let scalar):
            for name in Placeholder.names(in: scalar.string) where !declared.contains(name) && !builtIns.contains(name) {
                if name.hasSuffix(".path") {
                    throw node.error("{{\(name)}}: there is no service \(name.dropLast(5)) in the configuration; "
                        + "\(ConfigNode.hint(name, among: builtIns))(service paths: \(builtIns.joined(separator: ", ")))")
                }
                let known = declared.isEmpty ? "the plan declares no vars"
                    : "declared vars: \(declared.joined(separator: ", "))"
                throw node.error("{{\(name)}} is not declared; \(ConfigNode.hint(name, among: declared))(\(known)); "
                    + "declare it under vars: with a default, or null to require --var \(name)=VALUE")
            }
        case .mapping:
            for entry in try node.mapping("a mapping", example: example).entries {
                try checkPlaceholders(entry.value, declared: declared, builtIns: builtIns)
            }
        case .sequence:
            for item in try node.list("a list", example: example) { try checkPlaceholders(item, declared: declared, builtIns: builtIns) }
        case .alias:
            break
        }
    }
}
