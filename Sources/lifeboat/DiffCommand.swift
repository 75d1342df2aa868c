import ArgumentParser
import LifeboatKit

struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What changed between two recovery points of a service.",
        discussion: """
        One line per path: + added, - removed, M changed (with what: content, type, target, mode, owner, \
        mtime). --stat prints only the counts. A and B are backup ids (`lifeboat backups SERVICE`).
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The service.")
    var service: String

    @Argument(help: "The older backup id.")
    var older: String

    @Argument(help: "The newer backup id.")
    var newer: String

    @Flag(help: "Only the counts of added, removed and changed paths.")
    var stat = false

    @Flag(help: "Print one JSON object per change (with --stat: one object of counts).")
    var json = false

    func run() async throws {
        let workspace = try global.workspace()
        let browser = BackupBrowser(repository: workspace.repository)
        let counts = try browser.diff(service: service, older: .id(older), newer: .id(newer)) { change in
            guard !stat else { return }
            if json { return try Terminal.json(change) }
            switch change.change {
            case .added: Terminal.line("+ \(change.path)")
            case .removed: Terminal.line("- \(change.path)")
            case .changed: Terminal.line("M \(change.path) (\(change.what.joined(separator: ", ")))")
            }
        }
        if json {
            if stat { try Terminal.json(counts) }
        } else {
            Terminal.line("\(counts.added) added (\(Terminal.bytes(counts.bytesAdded))), \(counts.removed) removed (\(Terminal.bytes(counts.bytesRemoved))), "
                + "\(counts.changed) changed (\(counts.contentChanged) in content, \(counts.metadataOnly) in metadata only)")
        }
    }
}
