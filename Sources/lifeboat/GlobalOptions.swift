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

    enum LogFormat: String, ExpressibleByArgument {
        case text, json
    }

    func loadConfig() throws -> LifeboatConfig {
        try LifeboatConfig.load(explicitPath: config, environment: ProcessInfo.processInfo.environment,
                                currentDirectory: FileManager.default.currentDirectoryPath)
    }

    func workspace() throws -> Workspace { try Workspace(config: loadConfig()) }
}
