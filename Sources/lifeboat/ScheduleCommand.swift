import ArgumentParser
import Foundation
import LifeboatKit

struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Show, per service, what is due, when jobs run next, and the RPO headroom.",
        discussion: """
        A job is due when its tier's cron expression fired since the last run of that kind. RPO headroom \
        is the RPO minus the age of the newest good backup; "meets RPO" says whether the longest gap \
        between incrementals plus the measured backup duration fits in the RPO. A verification that did not \
        pass is retried one hour later, then two, four... (at most a day apart), not on every run-due.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Compute as if it were this ISO 8601 time (default: now).", valueName: "time"))
    var at: Moment?

    @Flag(help: "Print one JSON object per service.")
    var json = false


    func run() async throws {
        let workspace = try global.workspace(needingServicesTo: "schedule")
        let now = at?.date ?? Date()
        let statuses = try workspace.statuses(now: now)
        if json {
            for status in statuses { try Terminal.json(status) }
            return
        }
        guard !statuses.isEmpty else {
            Terminal.line("No services configured.")
            return
        }
        var rows = [["SERVICE", "TIER", "DUE", "NEXT INCR", "NEXT FULL", "NEXT VERIFY", "LAST BACKUP", "AGE", "RPO", "HEADROOM", "MEETS RPO"]]
        for s in statuses {
            rows.append([s.service, s.tier, s.due.isEmpty ? "-" : s.due.map(\.rawValue).joined(separator: ","),
                         s.nextIncremental ?? "-", s.nextFull ?? "-", s.nextVerify ?? "-",
                         s.lastBackup.map { "\($0.id) (\($0.kind))" } ?? "none",
                         s.lastBackup.map { Terminal.seconds($0.ageSeconds) } ?? "-", Terminal.seconds(s.rpoSeconds),
                         s.rpoHeadroomSeconds.map { $0 < 0 ? "BREACHED by \(Terminal.seconds(-$0))" : Terminal.seconds($0) } ?? "-",
                         s.cadenceMeetsRPO ? "yes" : "no (gap \(Terminal.seconds(s.worstCaseGapSeconds)))"])
        }
        Terminal.table(rows)
        for s in statuses {
            guard let backoff = s.verifyBackoff else { continue }
            Terminal.line("\(s.service): \(backoff.failures) verification(s) in a row did not pass, the last at \(backoff.lastFailed)"
                          + (backoff.message.map { " (\($0))" } ?? "") + "; next attempt at \(backoff.retryAt)")
        }
    }
}
