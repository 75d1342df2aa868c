import ArgumentParser
import LifeboatKit

struct BackupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backups",
        abstract: "List backups: id, service, kind, parent, finished time, size, status."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Only this service.")
    var service: String?

    @Flag(help: "Print one JSON object per backup (the backup.json record).")
    var json = false

    func run() async throws {
        let workspace = try global.workspace()
        if json {
            // Streamed from the catalog one row at a time: `| head` reads only what it shows.
            warn(try workspace.syncBackupIndexes(service: service))
            try workspace.catalog.forEachBackup(service: service) { record in
                try Terminal.json(record)
                return true
            }
            return
        }
        let (records, damaged) = try workspace.syncCatalog(service: service)
        warn(damaged)
        guard !records.isEmpty else {
            Terminal.line(service.map { "No backups of \($0) yet." } ?? "No backups yet.")
            return
        }
        var rows = [["ID", "SERVICE", "KIND", "PARENT", "FINISHED", "FILES", "READ", "STORED", "STATUS"]]
        for r in records {
            rows.append([r.id, r.service, r.kind.rawValue, r.parent ?? "-", r.finished, String(r.stats.files),
                         Terminal.bytes(r.stats.bytesRead), Terminal.bytes(r.stats.bytesStored), r.status])
        }
        Terminal.table(rows)
    }

    private func warn(_ damaged: [BackupListing.Damaged]) {
        for broken in damaged {
            Terminal.warn("backup \(broken.service)/\(broken.id) is not listed: \(broken.message); run `lifeboat verify --objects`")
        }
    }
}
