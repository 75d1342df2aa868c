import ArgumentParser
import LifeboatKit

struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Maintain the catalog (the SQLite index of backups and history of runs).",
        subcommands: [Rebuild.self]
    )

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recreate the catalog's backup index from the repository alone (run history is kept)."
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print the result as one JSON object.")
        var json = false

        func run() async throws {
            let workspace = try global.workspace()
            let result = try workspace.rebuildCatalog()
            if json {
                try Terminal.json(RebuildSummary(backups: result.backups, damaged: result.damaged.map { "\($0.service)/\($0.id): \($0.message)" },
                                                 skippedRecords: result.skippedRecords))
            } else {
                Terminal.line("Catalog \(workspace.config.catalog) rebuilt from \(workspace.repository.location): \(result.backups) backups")
                for damaged in result.damaged { Terminal.warn("skipped damaged backup \(damaged.service)/\(damaged.id): \(damaged.message)") }
                for record in result.skippedRecords {
                    Terminal.warn("skipped record \(record); its result is missing from reports (restore the file from a copy of the repository, or delete it)")
                }
            }
            if !result.damaged.isEmpty || !result.skippedRecords.isEmpty { throw ExitCode(ExitStatus.partial) }
        }
    }

    struct RebuildSummary: Encodable {
        let backups: Int
        let damaged: [String]
        /// Records of `records/` that could not be read, each with why.
        let skippedRecords: [String]
    }
}
