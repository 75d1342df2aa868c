import ArgumentParser
import Foundation
import LifeboatKit

struct RunDueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-due",
        abstract: "Run every backup, verification and drill that is due now, then exit.",
        discussion: """
        Meant for cron or a systemd timer every minute: idempotent (a job that ran since its last slot is \
        not due), quiet when nothing is due, missed slots run once. Backups run first, independent \
        services in parallel, each under its own lock; a service still busy from an earlier run is \
        skipped. Then the drills in Drills/ beside the configuration whose cadence is due, one at a \
        time. Exit 3 when some jobs or drills failed.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Run what is due at this ISO 8601 time (default: now).", valueName: "time"))
    var at: Moment?

    @Option(help: "Services backed up at the same time.")
    var concurrency = 2

    @Option(help: ArgumentHelp("Write Prometheus metrics here afterwards (node_exporter textfile format).", valueName: "file"))
    var metricsFile: String?

    @Flag(help: "Print one JSON object per job.")
    var json = false

    func validate() throws {
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        try Moment.refuseFuture(at, command: "run-due", instead: "`lifeboat schedule --at TIME` shows what would be due then")
    }

    func run() async throws {
        let workspace = try global.workspace(needingServicesTo: "run")
        let now = at?.date ?? Date()
        let outcomes = try workspace.runDue(now: now, concurrency: concurrency)
        RunDueCommand.report(outcomes, json: json)
        let drillsFailed = try runDueDrills(workspace, now: now)
        if let metricsFile { try workspace.writeMetrics(to: metricsFile, now: Date()) }
        if drillsFailed || outcomes.contains(where: { ["failed", "partial", "not-run"].contains($0.outcome) }) { throw ExitCode(ExitStatus.partial) }
    }

    /// Each due drill runs as `lifeboat drill run FILE` in a child process of the same process group:
    /// a Ctrl-C or a service stop reaches it too, and it then still tears its target down.
    private func runDueDrills(_ workspace: Workspace, now: Date) throws -> Bool {
        let found = workspace.dueDrills(in: workspace.drillsFolder, now: now)
        for error in found.invalid { Terminal.error(error, verbose: global.verbose) }
        guard let program = SelfProgram.path else { return !found.due.isEmpty }
        var failed = !found.invalid.isEmpty
        for drill in found.due {
            let clock = ContinuousClock.now
            let process = Process()
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = ["drill", "run", drill.file, "--json", "--config", workspace.config.filePath]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let record = try? JSONDecoder().decode(DrillRecord.self, from: data)
            if process.terminationStatus != 0 { failed = true }
            if json {
                if let record { try Terminal.json(record) }
                continue
            }
            var line = "\(drill.name): drill \(record?.outcome ?? "failed (exit \(process.terminationStatus))") in \(Terminal.seconds((ContinuousClock.now - clock).inSeconds))"
            if let rto = record?.rtoAchievedSeconds { line += ", RTO achieved \(Terminal.seconds(rto))" }
            if let rpo = record?.rpoAchievedSeconds { line += ", RPO achieved \(Terminal.seconds(rpo))" }
            if let problem = record?.problems.first { line += " — \(problem)" }
            Terminal.line(line)
        }
        return failed
    }

    static func report(_ outcomes: [JobOutcome], json: Bool) {
        for outcome in outcomes {
            if json {
                try? Terminal.json(outcome)
                continue
            }
            var line = "\(outcome.service): \(outcome.job.rawValue) \(outcome.outcome)"
            if let backup = outcome.backup { line += " \(backup)" }
            line += " in \(Terminal.seconds(outcome.durationSeconds))"
            if let message = outcome.message { line += " — \(message)" }
            Terminal.line(line)
        }
    }
}
