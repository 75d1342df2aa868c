import ArgumentParser
import LifeboatKit

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a service's backup into a target folder.",
        discussion: """
        Each backed-up path lands at its absolute path under the target (/srv/app -> TARGET/srv/app), so \
        --target / restores in place. A non-empty target is refused unless --exact or --force is given. \
        --path restores only the given files or folders (and the folders on the way to them, with their \
        metadata), reading only the archives that hold them; --exact then removes extras only inside them.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The service to restore.")
    var service: String

    @OptionGroup var point: RecoveryPointOptions

    @Option(help: ArgumentHelp("The folder to restore into.", valueName: "dir"))
    var target: String

    @Flag(help: "Make the target equal the backup: remove extras below the backed-up paths.")
    var exact = false

    @Flag(help: "Write over a non-empty target, leaving extras alone.")
    var force = false

    @Option(name: .customLong("path"), help: ArgumentHelp("Restore only this file or folder (as on the backed-up host, e.g. /srv/app/etc); repeatable.", valueName: "path"))
    var paths: [String] = []

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func validate() throws {
        if exact && force { throw ValidationError("--exact and --force exclude each other") }
    }

    func run() async throws {
        let workspace = try global.workspace()
        let configured = try workspace.config.service(named: service)
        let selector = point.selector
        let mode: RestoreMode = exact ? .exact : force ? .force : .emptyTarget
        let progress = ProgressLine(enabled: !json)
        var request = workspace.restoreRequest(for: configured, selector: selector, target: target, mode: mode)
        if !paths.isEmpty { request.selection = try PathSelection(paths) }
        let result = try RestoreEngine(repository: workspace.repository).restore(request) { p in
            progress.update(label: "\(service): \(p.filesRestored)/\(p.totalFiles) files", bytes: p.bytesRestored, total: p.totalBytes)
        }
        progress.clear()
        if json {
            try Terminal.json(RestoreSummary(result))
        } else {
            Terminal.line("\(service): restored backup \(result.record.id) (\(result.record.kind.rawValue), finished \(result.record.finished)) into \(result.target)")
            Terminal.line("  files \(result.files), folders \(result.directories), symlinks \(result.symlinks), hard links \(result.hardlinks), \(Terminal.bytes(result.bytes)) from \(result.archivesRead) archive(s) in \(Terminal.seconds(result.durationSeconds))\(result.removed > 0 ? ", \(result.removed) extras removed" : "")")
        }
        for warning in result.warnings { Terminal.warn(warning) }
    }
}

struct RestoreSummary: Encodable {
    let service: String
    let backup: String
    /// When the restored backup started and finished reading its sources: its recovery point.
    let backupStarted: String
    let backupFinished: String
    let target: String
    let files: Int
    let directories: Int
    let symlinks: Int
    let hardlinks: Int
    let bytes: Int64
    let archivesRead: Int
    let removed: Int
    let durationSeconds: Double
    let warnings: [String]

    init(_ r: RestoreResult) {
        service = r.record.service
        backup = r.record.id
        backupStarted = r.record.started
        backupFinished = r.record.finished
        target = r.target
        files = r.files
        directories = r.directories
        symlinks = r.symlinks
        hardlinks = r.hardlinks
        bytes = r.bytes
        archivesRead = r.archivesRead
        removed = r.removed
        durationSeconds = r.durationSeconds
        warnings = r.warnings
    }
}
