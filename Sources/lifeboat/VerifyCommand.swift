import ArgumentParser
import LifeboatKit

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove backups are intact: restore and compare (default), or re-hash every object.",
        discussion: """
        --restore restores the newest backup of each service (or --backup ID, or --all-backups) into a \
        scratch folder, compares every file with its manifest, and removes the folder. --objects re-hashes \
        every object against backup.json and names the backups and files each damaged object breaks. \
        Any mismatch exits 1; so does a verification that could not run because the scratch folder's \
        filesystem filled up (recorded as "not run", not as a failure of the backup). A backup that a \
        prune running meanwhile removed is listed as REMOVED and is no failure.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Services to verify (default: every service in the repository).")
    var services: [String] = []

    @Flag(help: "Re-hash every object of every backup against backup.json.")
    var objects = false

    @Flag(help: "Restore into a scratch folder and compare with the manifest (the default).")
    var restore = false

    @Option(help: ArgumentHelp("Verify this backup (one service only).", valueName: "id"))
    var backup: String?

    @Flag(help: "Verify every backup, not only the newest.")
    var allBackups = false

    @Option(help: ArgumentHelp("Where to make scratch folders (default: $TMPDIR or /tmp).", valueName: "dir"))
    var scratch: String?

    @Flag(help: "Print JSON (one object per verified backup, or one object for --objects).")
    var json = false

    func validate() throws {
        if objects && restore { throw ValidationError("choose --objects or --restore, not both") }
        if backup != nil && allBackups { throw ValidationError("--backup and --all-backups exclude each other") }
        if backup != nil && services.count != 1 { throw ValidationError("--backup needs exactly one service") }
    }

    func run() async throws {
        let workspace = try global.workspace(needingServicesTo: "verify")
        // Default: every configured service (one without a backup is a failure) and every service the
        // repository holds backups of (including ones no longer configured).
        let names = services.isEmpty
            ? Array(Set(workspace.config.services.map(\.name) + workspace.repository.serviceNames())).sorted()
            : services
        for name in names where !workspace.repository.serviceNames().contains(name) {
            _ = try workspace.config.service(named: name)  // unknown name: a clear usage error
        }
        let failed = objects ? try verifyObjects(workspace, names) : try verifyRestores(workspace, names)
        if failed { throw ExitCode(ExitStatus.failure) }
    }

    private func verifyObjects(_ workspace: Workspace, _ names: [String]) throws -> Bool {
        let progress = ProgressLine(enabled: !json)
        let result = workspace.verifyObjects(services: names) { bytes in
            progress.update(label: "checking objects", bytes: bytes, total: nil)
        }
        progress.clear()
        if json {
            try Terminal.json(result)
            return !result.problems.isEmpty
        }
        for p in result.problems {
            Terminal.line("DAMAGED object services/\(p.service)/\(p.backup)/\(p.object): \(p.detail)")
            Terminal.line("  breaks backup(s): \(p.affectedBackups.joined(separator: ", "))")
            if p.affectedFileCount < 0 {
                let later = p.affectedFiles.isEmpty ? "" : "; in later backups: \(p.affectedFiles.joined(separator: ", "))"
                Terminal.line("  files: all files of backup \(p.backup)\(later)")
            } else if p.affectedFileCount > 0 {
                let more = p.affectedFileCount > p.affectedFiles.count ? " (and \(p.affectedFileCount - p.affectedFiles.count) more)" : ""
                Terminal.line("  files (\(p.affectedFileCount)): \(p.affectedFiles.joined(separator: ", "))\(more)")
            }
        }
        Terminal.line("Checked \(result.objectsChecked) objects of \(result.backupsChecked) backups (\(Terminal.bytes(result.bytesChecked))): \(result.problems.isEmpty ? "all intact" : "\(result.problems.count) damaged")")
        if !result.problems.isEmpty {
            Terminal.line("Run `lifeboat doctor` for what to do about each; restore from a backup none of them breaks (`lifeboat backups`)")
        }
        return !result.problems.isEmpty
    }

    private func verifyRestores(_ workspace: Workspace, _ names: [String]) throws -> Bool {
        var anyFailed = false
        var verifiedAny = false
        for name in names {
            let (records, damaged) = try workspace.backupsToVerify(service: name, backup: backup, all: allBackups)
            if records.isEmpty && damaged.isEmpty {
                anyFailed = true
                verifiedAny = true
                let message = "service \(name) has no backup to verify: nothing can be restored; run `lifeboat backup \(name)`"
                if json {
                    try Terminal.json(["service": name, "ok": "false", "problems": message])
                } else {
                    Terminal.line("FAILED \(name): \(message)")
                }
                continue
            }
            for broken in damaged {
                verifiedAny = true
                anyFailed = true
                let result = RestoreVerification.damagedRecord(broken)
                if json {
                    try Terminal.json(result)
                } else {
                    Terminal.line("FAILED \(name) \(broken.id): \(result.problems[0])")
                }
            }
            for record in records {
                verifiedAny = true
                let progress = ProgressLine(enabled: !json)
                let result: RestoreVerification
                do {
                    result = try workspace.verifyRestore(record, scratchParent: scratch) { p in
                        progress.update(label: "\(name): restoring \(p.filesRestored)/\(p.totalFiles) files", bytes: p.bytesRestored, total: p.totalBytes)
                    }
                } catch let error as LifeboatError where error.code == .removed {
                    // A prune removed it after the list was made: gone on purpose, not damage; go on.
                    progress.clear()
                    if json {
                        try Terminal.json(RestoreVerification.removed(record, message: error.message))
                    } else {
                        Terminal.line("REMOVED \(name) \(record.id): \(error.message)")
                    }
                    continue
                }
                progress.clear()
                anyFailed = anyFailed || !result.ok
                if json {
                    try Terminal.json(result)
                    continue
                }
                if let reason = result.notRun {
                    Terminal.line("NOT RUN \(name) \(record.id): \(reason)")
                } else if result.ok {
                    Terminal.line("OK \(name) \(record.id): \(result.files) files, \(Terminal.bytes(result.bytes)) restored in \(Terminal.seconds(result.restoreSeconds)), compared in \(Terminal.seconds(result.compareSeconds))")
                } else {
                    Terminal.line("FAILED \(name) \(record.id): \(result.problemCount) problem(s)")
                    for problem in result.problems { Terminal.line("  \(problem)") }
                }
            }
        }
        if !verifiedAny && !json { Terminal.line("Nothing to verify: no services are configured or backed up.") }
        return anyFailed
    }
}
