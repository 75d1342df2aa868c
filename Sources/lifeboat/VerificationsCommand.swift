import ArgumentParser
import LifeboatKit

struct VerificationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verifications",
        abstract: "List past restore verifications: outcome, isolation, RTO measured against the target, failing checks."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Only this service.")
    var service: String?

    @Option(help: "At most this many, newest first.")
    var limit = 50

    @Flag(help: "Print one JSON object per verification (the full record).")
    var json = false

    func run() async throws {
        let workspace = try global.workspace()
        let records = try workspace.catalog.verifications(service: service, limit: limit)
        if json {
            for record in records { try Terminal.json(record) }
            return
        }
        guard !records.isEmpty else {
            Terminal.line("No verifications yet; run `lifeboat verify`.")
            return
        }
        var rows = [["STARTED", "SERVICE", "BACKUP", "OUTCOME", "RTO MEASURED", "RTO TARGET", "CHECKS", "ISOLATION"]]
        for r in records {
            let checks = r.checks.isEmpty ? "-" : "\(r.checks.filter(\.passed).count)/\(r.checks.count) passed"
            rows.append([r.started, r.service, r.backup, r.outcome, Terminal.seconds(r.rtoMeasuredSeconds),
                         r.rtoTargetSeconds > 0 ? Terminal.seconds(r.rtoTargetSeconds) + (r.rtoMet ? "" : " BREACHED") : "-",
                         checks, r.isolation.split(separator: ":").first.map(String.init) ?? r.isolation])
        }
        Terminal.table(rows)
        for r in records where !r.passed {
            Terminal.line("")
            Terminal.line("\(r.service) \(r.backup) \(r.notRun ? "not run" : "failed"):")
            for problem in r.problems.prefix(5) { Terminal.line("  \(problem)") }
            for check in r.checks where !check.passed {
                Terminal.line("  check \(check.name) output:")
                for line in check.output.split(separator: "\n").suffix(10) { Terminal.line("    \(line)") }
            }
        }
    }
}
