import ArgumentParser
import LifeboatKit

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the repository and the catalog named in the configuration.",
        discussion: "Refuses to touch an existing repository or a non-empty folder."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func run() async throws {
        let workspace = try Workspace.initialize(config: global.loadConfig())
        if json {
            try Terminal.json(["repository": workspace.repository.location, "id": workspace.repository.info.id,
                               "catalog": workspace.config.catalog, "compression": "zstd-\(workspace.repository.info.compression.level)"])
        } else {
            Terminal.line("Created repository \(workspace.repository.location) (id \(workspace.repository.info.id), zstd level \(workspace.repository.info.compression.level))")
            Terminal.line("Created catalog \(workspace.config.catalog)")
        }
    }
}
