import ArgumentParser
import LifeboatKit

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up services: incremental when a complete parent exists, else full."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Services to back up (as named in the configuration).")
    var services: [String] = []

    @Flag(help: "Back up every configured service.")
    var all = false

    @Flag(help: "Store everything, even when a parent backup exists.")
    var full = false

    @Flag(help: "Require an incremental backup; fail when there is no complete parent.")
    var incremental = false

    @Flag(help: "Re-read and re-hash every file instead of trusting size and times.")
    var checksum = false

    @Flag(help: "Print one JSON object per backup on stdout.")
    var json = false

    func validate() throws {
        if full && incremental { throw ValidationError("--full and --incremental exclude each other") }
        if all && !services.isEmpty { throw ValidationError("name services or use --all, not both") }
        if !all && services.isEmpty { throw ValidationError("name at least one service, or use --all") }
    }

    func run() async throws {
        let workspace = try global.workspace(needingServicesTo: "back up")
        let mode: BackupMode = full ? .full : incremental ? .incremental : .auto
        let targets = try workspace.services(named: services, all: all)
        var succeeded = 0, failed = 0, partial = 0
        var lastError: LifeboatError?
        for service in targets {
            let progress = ProgressLine(enabled: !json)
            do {
                let result = try workspace.backup(service, mode: mode, checksum: checksum) { p in
                    progress.update(label: "\(p.service): \(p.entriesScanned) entries, \(p.filesStored) stored", bytes: p.bytesRead, total: p.expectedBytes)
                }
                progress.clear()
                try report(result)
                if result.record.status == "complete" { succeeded += 1 } else { partial += 1 }
            } catch let error as LifeboatError {
                progress.clear()
                failed += 1
                lastError = error
                if targets.count == 1 { throw error }
                Terminal.error(error, verbose: global.verbose)
                if json { try Terminal.json(["service": service.name, "status": "failed", "error": error.message]) }
            }
        }
        if targets.count == 1, let lastError { throw lastError }
        let exit = ExitStatus.combined(succeeded: succeeded, failed: failed, partial: partial)
        if exit != .success { throw exit }
    }

    private func report(_ result: BackupResult) throws {
        let r = result.record
        if json {
            try Terminal.json(BackupSummary(result))
            return
        }
        Terminal.line("\(r.service): \(r.kind.rawValue) backup \(r.id)\(r.parent.map { " (parent \($0))" } ?? "")")
        let appended = r.stats.filesAppended.map { " (\($0) as appended bytes only)" } ?? ""
        Terminal.line("  files \(r.stats.files) (\(r.stats.filesStored) stored\(appended), \(r.stats.files - r.stats.filesStored) unchanged), folders \(r.stats.directories), symlinks \(r.stats.symlinks), hard links \(r.stats.hardlinks)")
        Terminal.line("  read \(Terminal.bytes(r.stats.bytesRead)), stored \(Terminal.bytes(r.stats.bytesStored)), tree \(Terminal.bytes(r.stats.totalBytes)), took \(Terminal.seconds(result.durationSeconds))")
        for note in result.notes { Terminal.warn("\(r.service): \(note)") }
    }
}

/// The JSON printed for each backup.
struct BackupSummary: Encodable {
    let id: String
    let service: String
    let kind: String
    let parent: String?
    let status: String
    let started: String
    let finished: String
    let files: Int
    let filesStored: Int
    /// Of `filesStored`, those that only grew: just their new bytes were stored.
    let filesAppended: Int
    let directories: Int
    let symlinks: Int
    let hardlinks: Int
    let bytesRead: Int64
    let bytesStored: Int64
    let totalBytes: Int64
    let durationSeconds: Double
    let notes: [String]

    init(_ result: BackupResult) {
        let r = result.record
        id = r.id
        service = r.service
        kind = r.kind.rawValue
        parent = r.parent
        status = r.status
        started = r.started
        finished = r.finished
        files = r.stats.files
        filesStored = r.stats.filesStored
        filesAppended = r.stats.filesAppended ?? 0
        directories = r.stats.directories
        symlinks = r.stats.symlinks
        hardlinks = r.stats.hardlinks
        bytesRead = r.stats.bytesRead
        bytesStored = r.stats.bytesStored
        totalBytes = r.stats.totalBytes
        durationSeconds = result.durationSeconds
        notes = result.notes
    }
}
