import ArgumentParser
import LifeboatKit

/// `--backup ID` or `--at TIME`: which recovery point a command restores or reads (default: the newest).
struct RecoveryPointOptions: ParsableArguments {
    @Option(help: ArgumentHelp("This backup (default: the newest).", valueName: "id"))
    var backup: String?

    @Option(help: ArgumentHelp("The newest backup finished at or before this ISO 8601 time.", valueName: "timestamp"))
    var at: Moment?

    func validate() throws {
        if backup != nil && at != nil { throw ValidationError("--backup and --at exclude each other") }
    }

    var selector: BackupSelector { backup.map { .id($0) } ?? at.map { .at($0.date) } ?? .latest }
}
