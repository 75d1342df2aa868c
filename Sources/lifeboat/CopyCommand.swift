import ArgumentParser
import Foundation
import LifeboatKit

struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy the backups another repository lacks into it (e.g. off-site), checking every object on arrival.",
        discussion: """
        The target is a name under `repositories:`. Copies are idempotent and resumable: backups the target \
        holds are skipped, leftovers of an interrupted copy are removed and redone. An encrypted target takes \
        its passphrase from --to-passphrase-file, $LIFEBOAT_TARGET_PASSPHRASE or its passphrase_file.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The repository to copy into (a name under `repositories:`).", valueName: "name"))
    var to: String

    @Option(help: ArgumentHelp("A file whose first line is the target's passphrase.", valueName: "file"))
    var toPassphraseFile: String?

    @Argument(help: "Services to copy (default: all).")
    var services: [String] = []

    @Flag(help: "Print one JSON object per service.")
    var json = false

    func run() async throws {
        let workspace = try global.workspace()
        let target = PassphraseSource(passphraseFile: toPassphraseFile, naming: .target, prompt: SecretPrompt.ask)
        let reports = try workspace.copy(to: to, services: workspace.services(named: services, all: services.isEmpty), passphrase: target)
        for report in reports {
            if json {
                try Terminal.json(report)
                continue
            }
            let bytes = report.copied.reduce(Int64(0)) { $0 + $1.bytes }
            var line = "\(report.service): copied \(report.copied.count) backup\(report.copied.count == 1 ? "" : "s") to \(report.target) (\(Terminal.bytes(bytes))), \(report.present.count) already there"
            if !report.resumed.isEmpty { line += ", \(report.resumed.count) interrupted copy redone" }
            Terminal.line(line)
            for failure in report.failed { Terminal.line("  FAILED \(failure)") }
        }
        if reports.contains(where: { !$0.failed.isEmpty }) { throw ExitCode(ExitStatus.partial) }
    }
}
