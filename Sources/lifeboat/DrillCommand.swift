import ArgumentParser
import Foundation
import LifeboatKit

struct DrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Run DR drills: inject a disaster into an isolated copy, recover it with a plan, measure RTO and RPO.",
        discussion: "Drills are YAML files in Drills/ beside the configuration (see Drills/README.md).",
        subcommands: [DrillRunCommand.self]
    )
}

struct DrillRunCommand: AsyncParsableCommand, HandlesInterrupts {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a drill (by name or file), or every drill that is due.",
        discussion: """
        Prepares the isolated target, records the disaster time, injects the disaster, runs the plan \
        against the target, runs the success checks, and always cleans up (also on failure and Ctrl-C). \
        Exit 0 passed, 1 not recovered, 4 recovered but RTO or RPO breached, 130 interrupted.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The drill: its name, its file name in the drills folder, or a path to its file.")
    var drill: String?

    @Flag(help: "Run every drill whose cadence says it is due.")
    var due = false

    @Option(help: ArgumentHelp("Where drills are looked up (default: Drills/ beside the configuration).", valueName: "dir"))
    var drills: String?

    @Option(help: ArgumentHelp("With --due: what is due at this ISO 8601 time (default: now).", valueName: "time"))
    var at: Moment?

    @Flag(help: "Print each drill's record as one JSON object (and no progress).")
    var json = false

    func validate() throws {
        if (drill == nil) == !due { throw ValidationError("name a drill, or use --due") }
    }

    func run() async throws {
        let workspace = try global.workspace()
        let folder = drills ?? workspace.drillsFolder
        var selected: [Drill]
        if let drill {
            selected = [try workspace.loadDrill(drill, folder: folder)]
        } else {
            let found = workspace.dueDrills(in: folder, now: at?.date ?? Date())
            for error in found.invalid { Terminal.error(error, verbose: global.verbose) }
            selected = found.due
            if selected.isEmpty && !json { Terminal.line("No drill is due.") }
        }
        var codes: [Int32] = []
        for drill in selected {
            let record = try DrillRunCommand.run(drill, workspace: workspace, json: json)
            codes.append(DrillRunCommand.exitCode(record))
            if record.outcome == "interrupted" { break }
        }
        if let worst = [ExitStatus.interrupted, ExitStatus.failure, ExitStatus.breached].first(where: codes.contains) {
            throw ExitCode(worst)
        }
    }

    /// Runs one drill with progress on stderr (unless `json`), prints its result, and returns its record.
    static func run(_ drill: Drill, workspace: Workspace, json: Bool) throws -> DrillRecord {
        let plan = try Plan.load(file: drill.plan, config: workspace.config)
        let display = PlanDisplay(enabled: !json, rto: drill.success.rto ?? plan.rto)
        let context = PlanContext(lifeboatExecutable: SelfProgram.path, configPath: workspace.config.filePath,
                                  environment: ["LIFEBOAT_CONFIG": workspace.config.filePath])
        if !json { Terminal.line("drill \(drill.name): plan \(plan.name), services \(plan.services.joined(separator: ", "))") }
        let run = DrillRun(drill: drill, plan: plan, workspace: workspace, context: context,
                           onPhase: { phase in if !json { FileHandle.standardError.write(Data("-- \(phase)\n".utf8)) } },
                           onEvent: display.show)
        let (record, recordError) = InterruptRelay.during { relay in
            relay.target = { run.interrupt() }
            return run.run()
        }
        if json { try Terminal.json(record) } else { summary(record) }
        if let recordError { Terminal.warn("the drill was not recorded: \(recordError.message)") }
        return record
    }

    static func summary(_ r: DrillRecord) {
        Terminal.line("")
        for phase in r.phases {
            Terminal.line("  \(phase.name.padding(toLength: 8, withPad: " ", startingAt: 0)) \(phase.succeeded ? "ok    " : "FAILED") \(Terminal.seconds(phase.seconds).padding(toLength: 8, withPad: " ", startingAt: 0)) \(phase.detail)")
        }
        for check in r.checks where !check.passed {
            Terminal.line("  check \(check.name) failed:")
            for line in check.output.split(separator: "\n").suffix(10) { Terminal.line("    \(line)") }
        }
        let rto = r.rtoAchievedSeconds.map { "\(Terminal.seconds($0)) (target \(Terminal.seconds(r.rtoTargetSeconds)))" } ?? "not recovered"
        let rpo = r.rpoAchievedSeconds.map { "\(Terminal.seconds($0)) (target \(Terminal.seconds(r.rpoTargetSeconds)))" } ?? "not measured"
        Terminal.line("drill \(r.drill) \(r.outcome.uppercased()): RTO achieved \(rto), RPO achieved \(rpo) (drill \(r.id))")
        for problem in r.problems { Terminal.line("  - \(problem)") }
    }

    static func exitCode(_ record: DrillRecord) -> Int32 {
        switch record.outcome {
        case "passed": ExitStatus.success
        case "breached": ExitStatus.breached
        case "interrupted": ExitStatus.interrupted
        default: ExitStatus.failure
        }
    }
}

struct DrillsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drills",
        abstract: "List drill results (newest first) and when each drill is next due."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Only this drill.")
    var name: String?

    @Option(help: "At most this many results.")
    var limit = 50

    @Option(help: ArgumentHelp("Where drills are looked up (default: Drills/ beside the configuration).", valueName: "dir"))
    var drills: String?

    @Flag(help: "Print one JSON object per result (the full record).")
    var json = false

    func run() async throws {
        let workspace = try global.workspace()
        let records = try workspace.catalog.drills(name: name, limit: limit)
        if json {
            for record in records { try Terminal.json(record) }
            return
        }
        if records.isEmpty {
            Terminal.line("No drill has run yet; run `lifeboat drill run NAME`.")
        } else {
            var rows = [["STARTED", "DRILL", "PLAN", "OUTCOME", "RTO ACHIEVED", "RTO TARGET", "RPO ACHIEVED", "RPO TARGET"]]
            for r in records {
                rows.append([r.started, r.drill, r.plan, r.outcome, r.rtoAchievedSeconds.map(Terminal.seconds) ?? "-",
                             Terminal.seconds(r.rtoTargetSeconds), r.rpoAchievedSeconds.map(Terminal.seconds) ?? "-",
                             Terminal.seconds(r.rpoTargetSeconds)])
            }
            Terminal.table(rows)
            for r in records where !r.passed && !r.problems.isEmpty {
                Terminal.line("")
                Terminal.line("\(r.drill) \(r.started) \(r.outcome):")
                for problem in r.problems.prefix(5) { Terminal.line("  \(problem)") }
            }
        }
        let folder = drills ?? workspace.drillsFolder
        let files = workspace.drillFiles(in: folder)
        guard !files.isEmpty else { return }
        Terminal.line("")
        var rows = [["DRILL", "CADENCE", "NEXT DUE (UTC)"]]
        for file in files {
            let drill: Drill
            do { drill = try Drill.load(file: file, config: workspace.config) } catch {
                if name == nil { rows.append([(file as NSString).lastPathComponent, "-", "INVALID: run `lifeboat drill run \(file)` to see why"]) }
                continue
            }
            guard name == nil || drill.name == name else { continue }
            let next = workspace.nextDrill(drill, now: Date()).map { $0 <= Date() ? "now (overdue)" : Timestamp.format($0) } ?? "on demand"
            rows.append([drill.name, drill.cadence?.description ?? "-", next])
        }
        Terminal.table(rows)
    }
}
