import ArgumentParser
import Foundation
import LifeboatKit

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Check, show and run failover plans (step graphs timed against the tier's RTO).",
        discussion: "Plans are YAML files (see Plans/README.md).",
        subcommands: [PlanValidateCommand.self, PlanShowCommand.self, PlanRunCommand.self]
    )
}

struct PlanValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check plan files: schema, unknown keys, step ids, needs (missing or cyclic), services."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Plan files.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one plan file") }
    }

    func run() async throws {
        let config = try global.loadConfig()
        var invalid = 0
        for file in files {
            do {
                let plan = try Plan.load(file: file, config: config)
                Terminal.line("\(file): ok (plan \(plan.name), \(plan.steps.count) steps, RTO \(plan.rto))")
            } catch let error as LifeboatError {
                invalid += 1
                Terminal.error(error, verbose: global.verbose)
            }
        }
        if invalid > 0 { throw ExitCode(ExitStatus.usage) }
    }
}

struct PlanShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a plan's steps in order, its parallel groups, and its critical path with estimated durations.",
        discussion: "A step's estimate is the median of its past successful runs, or its timeout when it never ran."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The plan file.")
    var file: String

    @Flag(help: "Print one JSON object.")
    var json = false

    struct Shown: Encodable {
        struct Step: Encodable {
            let id: String
            let kind: String
            let needs: [String]
            let estimateSeconds: Double
            let estimateFrom: String
            let timeoutSeconds: Int64
            let retries: Int
            let critical: Bool
            let continueOnError: Bool
            let rollback: String?
            let action: String
        }

        let plan: String
        let file: String
        let tier: String?
        let rtoSeconds: Int64
        let services: [String]
        let parallel: Int
        let steps: [Step]
        let groups: [[String]]
        let criticalPath: [String]
        let criticalPathSeconds: Double
        let fitsRTO: Bool
    }

    func run() async throws {
        let workspace = try global.workspace()
        let plan = try workspace.loadPlan(file)
        let graph = PlanGraph(plan)
        let history = workspace.estimates(for: plan)
        let path = graph.criticalPath(estimates: history)
        let steps = graph.order.compactMap { plan.step($0) }.map { step in
            Shown.Step(id: step.id, kind: step.action.kind, needs: step.needs,
                       estimateSeconds: history[step.id] ?? Double(step.effectiveTimeout.seconds),
                       estimateFrom: history[step.id] == nil ? "timeout" : "history", timeoutSeconds: step.effectiveTimeout.seconds,
                       retries: step.retries, critical: step.critical, continueOnError: step.continueOnError,
                       rollback: step.rollback?.display, action: PlanText.describe(step.action))
        }
        let shown = Shown(plan: plan.name, file: file, tier: plan.tier, rtoSeconds: plan.rto.seconds, services: plan.services,
                          parallel: plan.parallel, steps: steps, groups: graph.groups, criticalPath: path.steps,
                          criticalPathSeconds: path.seconds, fitsRTO: path.seconds <= Double(plan.rto.seconds))
        if json { return try Terminal.json(shown) }
        Terminal.line("plan \(plan.name) (\(file)): \(plan.steps.count) steps, services \(plan.services.joined(separator: ", ")), "
            + "RTO \(plan.rto)\(plan.tier.map { " (tier \($0))" } ?? ""), up to \(plan.parallel) at once")
        Terminal.line("")
        var rows = [["GROUP", "STEP", "KIND", "NEEDS", "ESTIMATE", "TIMEOUT", "RETRIES", "FLAGS", "ACTION"]]
        for (index, group) in graph.groups.enumerated() {
            for id in group {
                guard let step = steps.first(where: { $0.id == id }) else { continue }
                var flags: [String] = []
                if step.critical { flags.append("critical") }
                if step.continueOnError { flags.append("continue-on-error") }
                if step.rollback != nil { flags.append("rollback") }
                if path.steps.contains(id) { flags.append("on critical path") }
                rows.append(["\(index + 1)", id, step.kind, step.needs.isEmpty ? "-" : step.needs.joined(separator: ","),
                             Terminal.seconds(step.estimateSeconds) + (step.estimateFrom == "timeout" ? " (timeout)" : ""),
                             "\(LifeboatDuration(seconds: step.timeoutSeconds))", "\(step.retries)",
                             flags.isEmpty ? "-" : flags.joined(separator: ","), PlanText.brief(step.action)])
            }
        }
        Terminal.table(rows)
        Terminal.line("")
        Terminal.line("critical path: \(path.steps.joined(separator: " -> ")) = \(Terminal.seconds(path.seconds)) estimated, "
            + (shown.fitsRTO ? "fits the RTO of \(plan.rto)" : "LONGER than the RTO of \(plan.rto)"))
        if steps.contains(where: { $0.estimateFrom == "timeout" }) {
            Terminal.line("(steps that never ran are estimated at their timeout)")
        }
    }
}

/// How steps are described to people.
enum PlanText {
    static func describe(_ action: StepAction) -> String {
        switch action {
        case .run(let command): return command.display
        case .restore(let restore):
            let point: String = switch restore.point {
            case .latest: "latest"
            case .id(let id): id
            case .at(let date): "at \(Timestamp.format(date))"
            }
            return "restore \(restore.service) (\(point)) to \(restore.target), mode \(restore.mode.rawValue)"
        case .verify(let verify): return "verify \(verify.service)\(verify.backup.map { " backup \($0)" } ?? "")"
        case .wait(let probe, let interval):
            let what: String = switch probe {
            case .command(let command): command.display
            case .tcp(let host, let port): "tcp \(host):\(port)"
            case .http(let url, let status): "GET \(url)\(status.map { " -> \($0)" } ?? "")"
            }
            return "wait for \(what) every \(interval)"
        case .approval(let prompt): return "approval: \(prompt)"
        }
    }

    /// A described action cut to 60 characters, for tables.
    static func brief(_ text: String) -> String {
        text.count > 60 ? String(text.prefix(57)) + "..." : text
    }
}
