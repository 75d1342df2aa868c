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

    @Flag(help: "Encrypt the repository (AES-256-GCM). The passphrase comes from --key-file, --passphrase-file, $LIFEBOAT_PASSPHRASE or the config's passphrase_file, else a prompt asks for it twice.")
    var encrypt = false

    @Option(help: ArgumentHelp("Create this repository of `repositories:` (a copy target) instead of the main one and the catalog.", valueName: "name"))
    var repository: String?

    func run() async throws {
        let config = try global.loadConfig()
        if let repository {
            let spec = try config.repository(named: repository)
            // The target's own passphrase (LIFEBOAT_TARGET_PASSPHRASE, its passphrase_file, or asked), never the main one's.
            let source = PassphraseSource(naming: .target, prompt: SecretPrompt.ask)
            let passphrase = encrypt ? try source.resolveNew(for: spec.location, configured: spec.passphraseFile) : nil
            let created = try config.initializeRepository(named: repository, encryptWith: passphrase)
            Terminal.line("Created repository \(repository) at \(created.location) (id \(created.info.id)\(encrypt ? ", encrypted" : ""))")
            return
        }
        let passphrase = encrypt ? try global.passphrase.resolveNew(for: config.repository, configured: config.passphraseFile) : nil
        let workspace = try Workspace.initialize(config: config, encryptWith: passphrase)
        if json {
            try Terminal.json(["repository": workspace.repository.location, "id": workspace.repository.info.id,
                               "encrypted": workspace.repository.info.encryption == nil ? "no" : "yes",
                               "catalog": workspace.config.catalog, "compression": "zstd-\(workspace.repository.info.compression.level)"])
        } else {
            let encrypted = workspace.repository.info.encryption == nil ? "" : ", encrypted: keep the passphrase safe, without it no backup can be read"
            Terminal.line("Created repository \(workspace.repository.location) (id \(workspace.repository.info.id), zstd level \(workspace.repository.info.compression.level)\(encrypted))")
            Terminal.line("Created catalog \(workspace.config.catalog)")
        }
    }
}
