import ArgumentParser
import Foundation
import Glibc
import LifeboatKit

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The RTO/RPO compliance report, computed from what was recorded (backups, verifications, drills, jobs).",
        discussion: """
        Per tier and service: RPO (current exposure, worst gap, share of the window in compliance), verified \
        RPO, RTO (latest and worst measured, projected), verification coverage, drills, failures, and the \
        evidence (backup, verification and drill ids with checksums). Exit 0 when every service complies \
        (at risk included), 4 when any is breached. The JSON schema is docs/report-schema.md.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case md, html, json, csv
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("How far back the report looks (e.g. 90d, 4w, 24h).", valueName: "duration"))
    var window = "90d"

    @Option(help: ArgumentHelp("Report as of this ISO 8601 time (default: now).", valueName: "time"))
    var at: Moment?

    @Option(help: ArgumentHelp("md (default), html, json or csv.", valueName: "format"))
    var format: Format = .md

    @Option(help: ArgumentHelp("Write the report to this file (replaced whole; default: standard output).", valueName: "file"))
    var output: String?

    func run() async throws {
        let span: LifeboatDuration
        do { span = try LifeboatDuration(parsing: window) } catch let error as LifeboatError {
            throw ValidationError("--window: \(error.message)")
        }
        guard span.seconds > 0 else { throw ValidationError("--window must be longer than 0s (e.g. 90d)") }
        let workspace = try global.workspace(needingServicesTo: "report on")
        let report = try workspace.complianceReport(at: at?.date ?? Date(), window: Double(span.seconds))
        let text: String = switch format {
        case .md: report.markdown()
        case .html: report.html()
        case .json: try report.json()
        case .csv: report.csv()
        }
        if let output {
            try ReportFile.write(text, to: output)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        if report.anyBreach { throw ExitCode(ExitStatus.breached) }
    }
}

/// Writes a report beside its destination and renames it into place: a reader (a web server, a
/// monitoring job) sees the old report or the new one, never half of one.
enum ReportFile {
    static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try Data(text.utf8).write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else {
                throw LifeboatError(.io, String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw LifeboatError(.io, "cannot write the report to \(path): \(error.localizedDescription); check the folder exists and is writable")
        }
    }
}
