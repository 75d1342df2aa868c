import ArgumentParser
import Foundation
import LifeboatKit

struct RunDueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-due",
        abstract: "Run every backup and verification that is due now, then exit.",
        discussion: """
        Meant for cron or a systemd timer every minute: idempotent (a job that ran since its last slot is \
        not due), quiet when nothing is due, missed slots run once. Backups run first, independent \
        services in parallel, each under its own lock; a service still busy from an earlier run is \
        skipped. Exit 3 when some jobs failed.
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
    }

    func run() async throws {
        let workspace = try global.workspace()
        let now = at?.date ?? Date()
        let outcomes = try workspace.runDue(now: now, concurrency: concurrency)
        RunDueCommand.report(outcomes, json: json)
        if let metricsFile { try workspace.writeMetrics(to: metricsFile, now: Date()) }
        if outcomes.contains(where: { $0.outcome == "failed" || $0.outcome == "partial" }) { throw ExitCode(ExitStatus.partial) }
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
