import Foundation

extension Drill {
    static let keys = ["name", "plan", "cadence", "target", "inject", "approvals", "success", "max_duration", "vars"]
    static let guide = "Drills/README.md"

    /// Reads and validates a drill file and the plan it names (relative paths are taken against the
    /// current folder).
    ///
    /// - Throws: `LifeboatError` (`.configuration`): the file is missing or unreadable, or invalid
    ///   (see `parse(yaml:file:config:)`).
    public static func load(file: String, config: LifeboatConfig) throws -> Drill {
        try parse(yaml: ConfigDocument.read(file, what: "drill", guide: guide), file: file, config: config)
    }

    /// Parses and validates the text of a drill; `file` names it in messages and locates it: `plan:`
    /// is resolved against its folder, and the plan is loaded (its errors are thrown as they are).
    ///
    /// - Throws: `LifeboatError` (`.configuration`) whose message starts `file:line: key.path:`.
    public static func parse(yaml: String, file: String, config: LifeboatConfig) throws -> Drill {
        let top = try ConfigDocument.root(yaml: yaml, file: file)
        let mapping = try top.mapping("a mapping of drill settings (\(keys.joined(separator: ", ")))",
                                      example: "name: files-lost", validKeys: keys)
        let nameNode = try mapping.required("name", example: "name: files-lost")
        let name = try nameNode.string("a drill name", example: "name: files-lost")
        guard Service.isValidName(name) else {
            throw nameNode.error("invalid drill name: use letters, digits, \".\", \"_\" and \"-\", "
                + "starting with a letter or digit (e.g. name: files-lost)")
        }
        let planNode = try mapping.required("plan", example: "plan: ../Plans/files-recovery.yaml")
        let (planFile, plan) = try loadPlan(planNode, drillFile: file, config: config)
        let variables = try variables(mapping.present("vars"), plan: plan)
        try checkRequiredVariables(plan, given: variables, at: mapping.present("vars") ?? planNode)

        let cadence = try mapping.present("cadence").map { node in
            let text = try node.string("a cron expression", example: "cadence: quarterly")
            return try node.located { try CronExpression(parsing: text) }
        }
        let injectExample = "inject: [{ delete: srv/app/data }]"
        let injectNode = try mapping.required("inject", example: injectExample)
        let items = try injectNode.list("a list of injections", example: injectExample)
        guard !items.isEmpty else {
            throw injectNode.error("the list is empty; a drill needs a disaster to recover from (e.g. \(injectExample))")
        }
        let drill = try Drill(
            name: name, file: file, plan: planFile, cadence: cadence,
            target: try mapping.present("target").map(DrillTarget.parse) ?? DrillTarget(),
            inject: try items.map(Injection.parse),
            approvals: try approvals(mapping.present("approvals"), plan: plan),
            success: try mapping.present("success").map(SuccessCriteria.parse) ?? SuccessCriteria(),
            maxDuration: try mapping.present("max_duration")?.positiveDuration(example: "max_duration: 30m")
                ?? defaultMaxDuration,
            variables: variables).filling(ServicePaths.values(config))
        // Inject paths were checked as written; a placeholder filled in next to `..` (`..{{app.path}}`)
        // only climbs out of the target now.
        for (item, injection) in zip(items, drill.inject) {
            let path: String
            switch injection {
            case .delete(let p), .corrupt(let p, _), .stop(let p, _): path = p
            case .command: continue
            }
            if ConfigPath.components(of: path).contains("..") {
                throw item.error("the path is \(path) once its placeholders are filled; \"..\" is refused: an injection "
                    + "stays inside the drill target (e.g. \(Injection.example))", line: item.line)
            }
        }
        return drill
    }

    /// The drill with the built-in `{{SERVICE.path}}` placeholders filled in: in inject paths and
    /// commands, setup, teardown and success checks.
    /// Values are shell-quoted in shell lines (`ShellSubstitution`): a configured path is data, never code.
    func filling(_ values: [String: String]) throws -> Drill {
        func fill(_ text: String) -> String { Placeholder.replacing(in: text) { values[$0] } }
        func fill(_ command: CommandSpec) throws -> CommandSpec { try command.filled { values[$0] } }
        func inside(_ path: String) -> String {
            ConfigPath.components(of: fill(path)).filter { $0 != "." }.joined(separator: "/")
        }
        var drill = self
        drill.inject = try inject.map { injection in
            switch injection {
            case .delete(let path): .delete(path: inside(path))
            case .corrupt(let path, let bytes): .corrupt(path: inside(path), bytes: bytes)
            case .stop(let pidFile, let signal): .stop(pidFile: inside(pidFile), signal: signal)
            case .command(let command): .command(try fill(command))
            }
        }
        drill.target.setup = try target.setup.map(fill)
        drill.target.teardown = try target.teardown.map(fill)
        drill.success.checks = try success.checks.map { check in
            guard case .command(let line) = check.kind else { return check }
            let filled = try ShellSubstitution.fill(line) { values[$0] }
            return CheckSpec(kind: .command(filled), timeout: check.timeout, name: check.name == line ? nil : check.name)
        }
        return drill
    }

    /// The plan file (against the drill file's folder) and the plan, which must declare a `target`
    /// var and restore into the drill's target only.
    private static func loadPlan(_ node: ConfigNode, drillFile: String, config: LifeboatConfig) throws -> (String, Plan) {
        let written = try node.string("the path of a plan file", example: "plan: ../Plans/files-recovery.yaml")
        guard !written.isEmpty else { throw node.error("the path is empty (e.g. plan: ../Plans/files-recovery.yaml)") }
        let folder = ConfigPath.directory(of: ConfigPath.absolute(drillFile, relativeTo: FileManager.default.currentDirectoryPath))
        let path = ConfigPath.absolute(written, relativeTo: folder)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw node.error("no plan file at \(path); fix the path (a relative one is taken from the drill file's folder, "
                + "\(folder)), or write the plan (see \(Plan.guide))")
        }
        let plan = try Plan.load(file: path, config: config)
        guard plan.variables.keys.contains("target") else {
            throw node.error("plan \(plan.name) declares no target var; a drill runs the plan against its own target "
                + #"folder, passed as {{target}}: add vars: { target: / } to \#(path) and restore into "{{target}}""#)
        }
        for step in plan.steps {
            guard case .restore(let restore) = step.action, Placeholder.leadingName(restore.target) != "target" else {
                continue
            }
            throw node.error("step \(step.id) of plan \(plan.name) restores to \(restore.target), outside the drill's "
                + #"target; a drill never touches this machine's own files, so write target: "{{target}}" "#
                + "(or a path under it) in \(path)")
        }
        return (path, plan)
    }

    /// `vars`: values for the plan's declared vars; `target` is the drill's own.
    private static func variables(_ node: ConfigNode?, plan: Plan) throws -> [String: String] {
        guard let node else { return [:] }
        let example = "vars: { host: 127.0.0.1 }"
        let declared = plan.variables.keys.sorted().filter { $0 != "target" }
        var variables: [String: String] = [:]
        for entry in try node.mapping("a mapping of the plan's vars to values", example: example).entries {
            guard entry.key != "target" else {
                throw entry.value.error("target is set by the drill (its scratch or prepared folder); remove it here",
                                        line: entry.value.keyLine)
            }
            guard declared.contains(entry.key) else {
                let list = declared.isEmpty ? "plan \(plan.name) declares no other vars"
                    : "plan \(plan.name) declares: \(declared.joined(separator: ", "))"
                throw entry.value.error("unknown var \"\(entry.key)\"; \(ConfigNode.hint(entry.key, among: declared))(\(list))",
                                        line: entry.value.keyLine)
            }
            variables[entry.key] = try entry.value.writtenText("a value (text)", example: example)
        }
        return variables
    }

    /// A plan var without a default needs a value here, or the drill could never run.
    private static func checkRequiredVariables(_ plan: Plan, given: [String: String], at node: ConfigNode) throws {
        let missing = plan.variables.filter { $0.key != "target" && $0.value == nil && given[$0.key] == nil }.keys.sorted()
        guard !missing.isEmpty else { return }
        throw node.error("plan \(plan.name) needs a value for \(PlanStep.listed(missing)); set it under vars: "
            + "(e.g. vars: { \(missing.map { "\($0): VALUE" }.joined(separator: ", ")) })")
    }

    /// `approvals`: answers to the plan's approval steps, by step id.
    private static func approvals(_ node: ConfigNode?, plan: Plan) throws -> [String: Bool] {
        guard let node else { return [:] }
        let example = "approvals: { go-ahead: yes }"
        let approvalSteps = plan.steps.filter { if case .approval = $0.action { true } else { false } }.map(\.id)
        var answers: [String: Bool] = [:]
        for entry in try node.mapping("a mapping of approval step ids to yes or no", example: example).entries {
            guard approvalSteps.contains(entry.key) else {
                let problem = plan.step(entry.key).map {
                    "step \"\(entry.key)\" of plan \(plan.name) is a \($0.action.kind) step, not an approval "
                } ?? "plan \(plan.name) has no step \"\(entry.key)\"; \(ConfigNode.hint(entry.key, among: approvalSteps))"
                let list = approvalSteps.isEmpty ? "it has no approval steps"
                    : "its approval steps: \(approvalSteps.joined(separator: ", "))"
                throw entry.value.error("\(problem)(\(list))", line: entry.value.keyLine)
            }
            answers[entry.key] = try entry.value.bool(example: example)
        }
        return answers
    }
}

extension SuccessCriteria {
    static let keys = ["rto", "rpo", "checks"]

    /// `success:`: `rto` and `rpo` overrides, and checks written as in `lifeboat.yaml` (commands only).
    static func parse(_ node: ConfigNode) throws -> SuccessCriteria {
        let mapping = try node.mapping("a mapping with rto, rpo and checks", example: "success: { rto: 5m, rpo: 1d }",
                                       validKeys: keys)
        return SuccessCriteria(
            rto: try mapping.present("rto")?.positiveDuration(example: "rto: 5m"),
            rpo: try mapping.present("rpo")?.positiveDuration(example: "rpo: 1d"),
            checks: try CheckSpec.parseAll(mapping.present("checks"), source: .files(paths: [], exclude: [])))
    }
}
