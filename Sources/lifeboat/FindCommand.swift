import ArgumentParser
import LifeboatKit

struct FindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Find every version of matching paths across a service's recovery points.",
        discussion: """
        A PATTERN without / matches names (app.conf, '*.yml'); with / it matches whole paths \
        ('/srv/app/etc/*'). Each distinct content of a path is listed once, with the first and last \
        recovery point that holds it: which backup has the file as it was on Monday.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The service.")
    var service: String

    @Argument(help: "A name or path pattern (*, ? and [...] as in the shell).")
    var pattern: String

    @Option(help: ArgumentHelp("Only recovery points that started at or after this ISO 8601 time.", valueName: "timestamp"))
    var since: Moment?

    @Flag(help: "Print one JSON object per version.")
    var json = false

    func run() async throws {
        let workspace = try global.workspace()
        let versions = try BackupBrowser(repository: workspace.repository).find(service: service, pattern: pattern, since: since?.date)
        if json {
            for version in versions { try Terminal.json(version) }
            return
        }
        guard !versions.isEmpty else {
            Terminal.line("No path matching \(pattern) in the recovery points of \(service).")
            return
        }
        var path = ""
        for version in versions {
            if version.path != path {
                path = version.path
                Terminal.line(path)
            }
            let what = version.type == "file" ? "\(Terminal.bytes(version.size)), sha256 \(version.sha256?.prefix(16) ?? "-")…"
                : version.target.map { "\(version.type) -> \($0)" } ?? version.type
            let span = version.firstBackup == version.lastBackup ? "in \(version.firstBackup)"
                : "in \(version.backups) points, \(version.firstBackup) … \(version.lastBackup)"
            Terminal.line("  \(what), modified \(version.mtime), \(span)")
        }
    }
}
