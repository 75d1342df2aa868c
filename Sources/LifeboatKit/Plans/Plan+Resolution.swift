extension Plan {
    /// The plan with every `{{name}}` replaced: by `values` (`--var name=VALUE`, a drill's `vars`)
    /// where given, else by the default in `vars:`. `variables` of the result holds the values used.
    ///
    /// - Throws: `LifeboatError` (`.usage`) when `values` names a var the plan does not declare, a
    ///   var without a default gets no value, or a restore target or workdir is not an absolute path
    ///   once resolved.
    public func resolved(with values: [String: String]) throws -> Plan {
        let declared = variables.keys.sorted()
        let undeclared = values.keys.filter { variables[$0] == nil }.sorted()
        if let first = undeclared.first {
            let list = declared.isEmpty ? "it declares no vars" : "declared: \(declared.joined(separator: ", "))"
            let hint = ConfigDiagnostics.suggestion(for: first, among: declared).map { " (did you mean \"\($0)\"?)" } ?? ""
            throw LifeboatError(.usage, "plan \(name) has no var \(undeclared.joined(separator: ", "))\(hint) (\(list)); "
                + "pass only the plan's vars, or declare them under vars: in \(file)")
        }
        var resolvedValues: [String: String] = [:]
        var missing: [String] = []
        for name in declared {
            if let value = values[name] ?? variables[name] ?? nil {
                resolvedValues[name] = value
            } else {
                missing.append(name)
            }
        }
        guard missing.isEmpty else {
            throw LifeboatError(.usage, "plan \(name) needs a value for \(PlanStep.listed(missing)): pass "
                + missing.map { "--var \($0)=VALUE" }.joined(separator: " "))
        }

        var plan = try filling(resolvedValues)
        plan.variables = resolvedValues.mapValues { .some($0) }
        for index in plan.steps.indices {
            try plan.checkAbsolute(plan.steps[index], written: steps[index])
        }
        return plan
    }

    /// The plan with the placeholders named in `values` replaced, the others left as written. In shell
    /// lines each value is quoted for its place (`ShellSubstitution`): a value is data, never code.
    func filling(_ values: [String: String]) throws -> Plan {
        func fill(_ text: String) -> String { Placeholder.replacing(in: text) { values[$0] } }
        var plan = self
        for index in plan.steps.indices {
            var step = plan.steps[index]
            func fillCommand(_ command: CommandSpec) throws -> CommandSpec {
                do { return try command.filled { values[$0] } } catch let error as LifeboatError {
                    throw LifeboatError(.usage, "plan \(name), step \(step.id): \(error.message)")
                }
            }
            step.rollback = try step.rollback.map(fillCommand)
            switch step.action {
            case .run(let command): step.action = .run(try fillCommand(command))
            case .restore(var restore):
                restore.target = fill(restore.target)
                if case .id(let id) = restore.point { restore.point = .id(fill(id)) }
                step.action = .restore(restore)
            case .verify(var verify):
                verify.backup = verify.backup.map(fill)
                step.action = .verify(verify)
            case .wait(let probe, let interval):
                let filled: Probe = switch probe {
                case .command(let command): .command(try fillCommand(command))
                case .tcp(let host, let port): .tcp(host: fill(host), port: port)
                case .http(let url, let status): .http(url: fill(url), status: status)
                }
                step.action = .wait(filled, interval: interval)
            case .approval(let prompt): step.action = .approval(prompt: fill(prompt))
            }
            plan.steps[index] = step
        }
        return plan
    }

    /// Restore targets and workdirs may start with a placeholder in the file, but must be absolute
    /// once it is filled in.
    private func checkAbsolute(_ step: PlanStep, written: PlanStep) throws {
        for ((what, path), (_, original)) in zip(Self.paths(of: step), Self.paths(of: written)) where !path.hasPrefix("/") {
            let names = Placeholder.names(in: original)
            let fix = names.isEmpty ? "make it absolute in \(file)"
                : "pass an absolute path (e.g. --var \(names[0])=/srv/restore)"
            throw LifeboatError(.usage, "plan \(name), step \(step.id): the \(what) \"\(path)\" is not an absolute path; \(fix)")
        }
    }

    private static func paths(of step: PlanStep) -> [(what: String, path: String)] {
        var paths: [(what: String, path: String)] = []
        if case .restore(let restore) = step.action { paths.append(("restore target", restore.target)) }
        if case .run(let command) = step.action, let workdir = command.workdir { paths.append(("workdir", workdir)) }
        if let workdir = step.rollback?.workdir { paths.append(("rollback workdir", workdir)) }
        return paths
    }
}
