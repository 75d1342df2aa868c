import ArgumentParser
import Foundation
import LifeboatKit

struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Manage the passphrases of an encrypted repository (each one opens the same data key).",
        subcommands: [KeyListCommand.self, KeyAddCommand.self, KeyRemoveCommand.self]
    )
}

struct KeyListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the repository's keys.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print one JSON object per key (without the wrapped key).")
    var json = false

    func run() async throws {
        let keys = try global.workspace().repository.keys()
        if json {
            for key in keys { try Terminal.json(["id": key.id, "created": key.created, "kdf": "\(key.kdf) N=\(key.n) r=\(key.r) p=\(key.p)"]) }
            return
        }
        var rows = [["ID", "CREATED", "KDF"]]
        for key in keys { rows.append([key.id, key.created, "\(key.kdf) N=\(key.n) r=\(key.r) p=\(key.p)"]) }
        Terminal.table(rows)
    }
}

struct KeyAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a passphrase. The repository is opened with an existing one (the usual way); the new one comes from --new-passphrase-file, $LIFEBOAT_NEW_PASSPHRASE, or a prompt (asked twice)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("A file whose first line is the new passphrase.", valueName: "file"))
    var newPassphraseFile: String?

    @Option(help: ArgumentHelp("A key file (at least 32 bytes, used whole) as the new key.", valueName: "file"))
    var newKeyFile: String?

    func run() async throws {
        let workspace = try global.workspace()
        let source = PassphraseSource(keyFile: newKeyFile, passphraseFile: newPassphraseFile, naming: .new, prompt: SecretPrompt.ask)
        let key = try workspace.repository.addKey(passphrase: try source.resolveNew(for: workspace.repository.location))
        Terminal.line("Added key \(key.id) to \(workspace.repository.location)")
    }
}

struct KeyRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a key (never the last one).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The key's id, as `lifeboat key list` shows it.")
    var id: String

    func run() async throws {
        let workspace = try global.workspace()
        try workspace.repository.removeKey(id: id)
        Terminal.line("Removed key \(id) from \(workspace.repository.location)")
    }
}
