import ArgumentParser
import Glibc
import LifeboatKit

struct DumpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Write one file of a recovery point to standard output.",
        discussion: """
        Reads only the archives that hold the file, checks every piece against its SHA-256 and the whole \
        file against the manifest. If a check fails after bytes were written, it exits 1 saying the output \
        is not to be trusted. lifeboat dump app /srv/app/etc/app.conf --at 2026-11-30 > app.conf
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The service.")
    var service: String

    @Argument(help: "The file, as on the backed-up host (e.g. /srv/app/etc/app.conf).")
    var path: String

    @OptionGroup var point: RecoveryPointOptions

    func run() async throws {
        let workspace = try global.workspace()
        let browser = BackupBrowser(repository: workspace.repository)
        let tree = try PathSelection([path], option: "PATH").requested[0]
        try browser.dump(service: service, selector: point.selector, path: tree, to: StandardOutputSink())
    }
}
