import ArgumentParser
import Foundation
import LifeboatKit

/// Options every command that reads the configuration accepts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The configuration file (default: $LIFEBOAT_CONFIG, then ./lifeboat.yaml).", valueName: "file"))
    var config: String?

    @Flag(name: .long, help: "Show details of errors and log what the engines do.")
    var verbose = false

    @Option(name: .long, help: ArgumentHelp("Log lines as `text` (default) or `json` (one object per line, info and up).", valueName: "format"))
    var logFormat: LogFormat = .text

    @Option(name: .long, help: ArgumentHelp("A file whose first line is the passphrase of an encrypted repository (default: $LIFEBOAT_PASSPHRASE, the config's passphrase_file, then a prompt on a terminal).", valueName: "file"))
    var passphraseFile: String?

    @Option(name: .long, help: ArgumentHelp("A key file (at least 32 bytes, used whole) instead of a passphrase.", valueName: "file"))
    var keyFile: String?

    enum LogFormat: String, ExpressibleByArgument {
        case text, json
    }

    func loadConfig() throws -> LifeboatConfig {
        try LifeboatConfig.load(explicitPath: config, environment: ProcessInfo.processInfo.environment,
                                currentDirectory: FileManager.default.currentDirectoryPath)
    }

    func workspace() throws -> Workspace { try Workspace(config: loadConfig(), passphrase: passphrase) }

    /// The workspace of a command that works on the configured services; a configuration without any
    /// is a configuration error (exit 2) before the repository is opened. `doing` is what the command
    /// would do with them ("back up").
    func workspace(needingServicesTo doing: String) throws -> Workspace {
        let config = try loadConfig()
        try config.requireServices(toDo: doing)
        return try Workspace(config: config, passphrase: passphrase)
    }

    /// Where the passphrase comes from; never from an argument's value, which `ps` would show.
    var passphrase: PassphraseSource {
        // Passed on by environment (as absolute paths) to the lifeboat processes plan steps start.
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        }
        if let passphraseFile { setenv("LIFEBOAT_PASSPHRASE_FILE", absolute(passphraseFile), 1) }
        if let keyFile { setenv("LIFEBOAT_KEY_FILE", absolute(keyFile), 1) }
        return PassphraseSource(keyFile: keyFile, passphraseFile: passphraseFile, prompt: SecretPrompt.ask)
    }
}
