import ArgumentParser
import Foundation
import LifeboatKit

struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove the backups no retention rule keeps (the tier's `keep:`).",
        discussion: """
        Keeps the union of the tier's rules (last, hourly, daily, weekly, monthly, yearly: newest backup of \
        each of the last N periods with backups, in UTC, ISO weeks; within: relative to the newest backup), \
        the newest backup, the newest backup whose restore was verified, and every backup a kept backup \
        needs. Also removes folders of backups that never committed (older than an hour). A locked service \
        exits 5.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Services to prune (default: every configured service).")
    var services: [String] = []

    @Flag(help: "Show what would be kept and removed, and remove nothing.")
    var dryRun = false

    @Flag(help: "Print one JSON object per service.")
    var json = false

    @Option(help: ArgumentHelp("Evaluate the rules as at this ISO 8601 time (default: now); backups finished later are kept.", valueName: "timestamp"))
    var at: Moment?


    func validate() throws {
        if !dryRun { try Moment.refuseFuture(at, command: "prune", instead: "`lifeboat prune --dry-run --at TIME` shows what would go then") }
    }

    func run() async throws {
        let workspace = try global.workspace()
        let now = at?.date ?? Date()
        let targets = services.isEmpty ? workspace.config.services : try services.map { try workspace.config.service(named: $0) }
        for service in targets {  // a configuration problem stops everything before anything is removed
            try RetentionPolicy.validate(try workspace.config.tier(for: service).keep, tier: service.tier)
        }
        var succeeded = 0
        var errors: [LifeboatError] = []
        for service in targets {
            do {
                try show(try workspace.prune(service, dryRun: dryRun, now: now))
                succeeded += 1
            } catch let error as LifeboatError {
                if targets.count == 1 { throw error }
                errors.append(error)
                Terminal.error(error, verbose: global.verbose)
                if json { try Terminal.json(["service": service.name, "status": "failed", "error": error.message]) }
            }
        }
        guard !errors.isEmpty else { return }
        if errors.contains(where: { $0.code == .locked }) { throw ExitCode(ExitStatus.locked) }
        throw ExitStatus.combined(succeeded: succeeded, failed: errors.count, partial: 0)
    }

    private func show(_ report: PruneReport) throws {
        for id in report.damaged {
            Terminal.warn("backup \(report.service)/\(id) has an unreadable backup.json and was left alone; run `lifeboat verify --objects`")
        }
        for warning in report.warnings { Terminal.warn(warning) }
        if json {
            try Terminal.json(report)
            return
        }
        let removing = report.removed.count + report.incomplete.count
        let verb = report.dryRun ? "would remove" : "removed"
        let freed = report.dryRun ? "would free" : "freed"
        Terminal.line("\(report.service) (\(report.tier)): keep \(report.kept.count), \(verb) \(removing), \(freed) \(Terminal.bytes(report.bytesFreed))\(report.dryRun ? " (dry run)" : "")")
        guard !report.kept.isEmpty || removing > 0 else {
            Terminal.line("  no backups")
            return
        }
        let remove = report.dryRun ? "would remove" : "remove"
        var rows = [["ACTION", "BACKUP", "KIND", "KEPT BY / SIZE"]]
        for kept in report.kept { rows.append(["keep", kept.id, kept.kind, kept.reasons.joined(separator: ", ")]) }
        for removed in report.removed { rows.append([remove, removed.id, removed.kind ?? "-", Terminal.bytes(removed.bytes)]) }
        for folder in report.incomplete { rows.append([remove, folder.id, "incomplete", Terminal.bytes(folder.bytes)]) }
        Terminal.table(rows)
    }
}
