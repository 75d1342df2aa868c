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
                try Terminal.json(RebuildSummary(backups: result.backups, damaged: result.damaged.map { "\($0.service)/\($0.id): \($0.message)" }))
            } else {
                Terminal.line("Catalog \(workspace.config.catalog) rebuilt from \(workspace.repository.location): \(result.backups) backups")
                for damaged in result.damaged { Terminal.warn("skipped damaged backup \(damaged.service)/\(damaged.id): \(damaged.message)") }
            }
            if !result.damaged.isEmpty { throw ExitCode(ExitStatus.partial) }
        }
    }

    struct RebuildSummary: Encodable {
        let backups: Int
        let damaged: [String]
    }
}
