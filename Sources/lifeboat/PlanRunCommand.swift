import ArgumentParser
import Foundation
import Glibc
import LifeboatKit

struct PlanRunCommand: AsyncParsableCommand, HandlesInterrupts {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a plan: steps as soon as their needs are met, timed against the RTO.",
        discussion: """
        Shows each step's state and the RTO budget (on track / at risk / breached). Approval steps ask on \
        the terminal, or are approved in advance with --yes. Ctrl-C stops launching steps, stops running \
        ones and runs the rollbacks; a second Ctrl-C exits at once. Every run is recorded (`lifeboat plan \
        show` estimates from them). Exit 0 done within the RTO, 1 failed, 4 done but over the RTO, 130 interrupted.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The plan file.")
    var file: String

    @Flag(help: "Approve every approval step without asking.")
    var yes = false

    @Flag(help: "Show what would run, in order, with placeholders filled in; run nothing.")
    var dryRun = false

    @Option(name: .customLong("var"), help: ArgumentHelp("A value for a {{placeholder}} of the plan (repeatable).", valueName: "name=value"))
    var variables: [String] = []

    @Option(help: ArgumentHelp("Run at most this many steps at once (default: the plan's `parallel`).", valueName: "n"))
    var parallel: Int?

    @Flag(help: "Print the run's record as one JSON object at the end (and no progress).")
    var json = false

    func validate() throws {
        if let parallel, parallel < 1 { throw ValidationError("--parallel must be at least 1") }
        for item in variables where !item.contains("=") { throw ValidationError("--var takes name=value, got \(item)") }
    }

    func run() async throws {
        let workspace = try global.workspace()
        let values = Dictionary(variables.map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), String(parts[1]))
        }) { $1 }
        let plan = try workspace.loadPlan(file).resolved(with: values)
        if dryRun { return try dryRun(plan) }
        var environment: [String: String] = ["LIFEBOAT_CONFIG": workspace.config.filePath]
        if let target = plan.variables["target"] ?? nil { environment["LIFEBOAT_TARGET"] = target }
        let context = PlanContext(lifeboatExecutable: SelfProgram.path, configPath: workspace.config.filePath,
                                  environment: environment, parallel: parallel)
        let display = PlanDisplay(enabled: !json, rto: plan.rto)
        if !json { Terminal.line("plan \(plan.name): \(plan.steps.count) steps, RTO \(plan.rto)") }
        let approver = TerminalApprover(assumeYes: yes, interactive: !json)
        let (record, recordError) = InterruptRelay.during { relay in
            workspace.run(plan: plan, context: context, approver: approver.answer, onEvent: display.show) { executor in
                relay.target = { executor.interrupt() }
            }
        }
        if json { try Terminal.json(record) } else { display.summary(record) }
        if let recordError { Terminal.warn("the run was not recorded: \(recordError.message)") }
        if let code = PlanDisplay.exitCode(record) { throw ExitCode(code) }
    }

    private func dryRun(_ plan: Plan) throws {
        let graph = PlanGraph(plan)
        if json {
            struct Step: Encodable { let id: String; let kind: String; let needs: [String]; let action: String; let rollback: String? }
            struct DryRun: Encodable { let plan: String; let groups: [[String]]; let steps: [Step] }
            return try Terminal.json(DryRun(plan: plan.name, groups: graph.groups, steps: graph.order.compactMap { plan.step($0) }.map {
                Step(id: $0.id, kind: $0.action.kind, needs: $0.needs, action: PlanText.describe($0.action), rollback: $0.rollback?.display)
            }))
        }
        Terminal.line("plan \(plan.name): dry run, nothing is executed")
        for (index, group) in graph.groups.enumerated() {
            Terminal.line("group \(index + 1)\(group.count > 1 ? " (in parallel)" : ""):")
            for id in group {
                guard let step = plan.step(id) else { continue }
                Terminal.line("  \(id): \(PlanText.describe(step.action))\(step.needs.isEmpty ? "" : "  [needs \(step.needs.joined(separator: ", "))]")")
                if let rollback = step.rollback { Terminal.line("    rollback: \(rollback.display)") }
            }
        }
    }
}

/// This program's own path, for plan steps that run `lifeboat restore` and `lifeboat verify`.
enum SelfProgram {
    static var path: String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
