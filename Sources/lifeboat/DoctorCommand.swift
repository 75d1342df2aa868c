import ArgumentParser
import LifeboatKit

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the repository, its locks and the catalog; say what is wrong and the command that fixes it.",
        discussion: """
        Finds unreadable commit records, missing or short objects, incrementals whose parent or archives are \
        gone, debris of interrupted runs, foreign files, stale lock leases and a catalog out of step. Changes \
        nothing; object contents are hashed by `lifeboat verify --objects`. Exit 0 when healthy, 1 otherwise.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print one JSON object per finding.")
    var json = false

    @OptionGroup var uploads: UnfinishedUploadAge

    func run() async throws {
        let workspace = try global.workspace()
        let findings = workspace.doctor(uploadAge: uploads.seconds)
        if json {
            for finding in findings { try Terminal.json(finding) }
        } else if findings.isEmpty {
            Terminal.line("repository \(workspace.repository.location): no problems found (object contents: `lifeboat verify --objects`)")
        } else {
            for finding in findings {
                Terminal.line("\(finding.kind.rawValue): \(finding.problem)")
                Terminal.line("  fix: \(finding.fix)")
            }
            let repairable = findings.filter(\.repairable).count
            Terminal.line("\(findings.count) problem\(findings.count == 1 ? "" : "s"); \(repairable) fixed by `lifeboat repair` (see first with --dry-run)")
        }
        if !findings.isEmpty { throw ExitCode(ExitStatus.failure) }
    }
}

struct RepairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Fix what doctor finds that needs no decision; never deletes data silently.",
        discussion: """
        Removes debris (folders of backups that never committed or whose removal was interrupted, \
        temporary files), clears stale lock leases, moves foreign files to quarantine/ in the repository \
        (nothing is deleted), and rebuilds the catalog. Damaged backups are left in place and listed with \
        what to do. Exit 0 when nothing is left to decide, 1 otherwise.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Show what would be done; change nothing.")
    var dryRun = false

    @OptionGroup var uploads: UnfinishedUploadAge

    func run() async throws {
        let workspace = try global.workspace()
        let (done, left) = try workspace.repair(dryRun: dryRun, uploadAge: uploads.seconds)
        for finding in done {
            let action: String = switch finding.kind {
            case .debris: "remove"
            case .foreign: "quarantine"
            case .staleLock: "clear stale lease"
            case .catalog: "rebuild catalog"
            case .damaged: "leave"
            case .unfinishedUpload: "abort upload"
            }
            Terminal.line("\(dryRun ? "would " : "")\(action): \(finding.path)")
        }
        for finding in left {
            Terminal.line("left as is (\(finding.kind.rawValue)): \(finding.problem)")
            Terminal.line("  what to do: \(finding.fix)")
        }
        if done.isEmpty && left.isEmpty { Terminal.line("nothing to repair") }
        if !left.isEmpty { throw ExitCode(ExitStatus.failure) }
    }
}

/// When an unfinished S3 upload counts as left behind (doctor lists it, repair aborts it).
struct UnfinishedUploadAge: ParsableArguments {
    @Option(help: ArgumentHelp("S3 uploads left unfinished count once older than this (younger ones may belong to a backup running now).", valueName: "duration"))
    var uploadsOlderThan: LifeboatDuration = .hours(24)

    var seconds: Double { Double(uploadsOlderThan.seconds) }
}
