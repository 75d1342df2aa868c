import ArgumentParser
import Foundation
import LifeboatKit
import Logging

@main
struct Lifeboat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifeboat",
        abstract: "Tiered backup, restore verification and disaster recovery for Linux services.",
        discussion: """
        Exit codes: 0 success, 1 failure, 2 usage or configuration error, 3 partial (some services or \
        checks failed), 4 RTO/RPO breached, 5 repository locked, 130 interrupted.
        """,
        version: LifeboatVersion.current,
        subcommands: [InitCommand.self, BackupCommand.self, BackupsCommand.self, RestoreCommand.self,
                      VerifyCommand.self, CatalogCommand.self, ScheduleCommand.self, RunDueCommand.self,
                      DaemonCommand.self, LocksCommand.self, PruneCommand.self, ConfigCommand.self,
                      VerificationsCommand.self, PlanCommand.self, DrillCommand.self, DrillsCommand.self, ReportCommand.self, DoctorCommand.self, RepairCommand.self,
                      KeyCommand.self, CopyCommand.self, ExportCommand.self, LsCommand.self, FindCommand.self,
                      DiffCommand.self, DumpCommand.self]
    )

    /// Parses, runs, and maps every error to the documented exit codes in this one place.
    static func main() async {
        let arguments = CommandLine.arguments
        let verbose = arguments.contains("--verbose")
        let jsonLogs = zip(arguments, arguments.dropFirst()).contains { $0 == "--log-format" && $1 == "json" }
            || arguments.contains("--log-format=json")
        LoggingSystem.bootstrap { label in
            let level: Logger.Level = verbose ? .debug : (jsonLogs ? .info : .warning)
            if jsonLogs { return JSONLogHandler(label: label, logLevel: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exitParsing(error)
        }
        let signals = command is DaemonCommand || command is any HandlesInterrupts ? [] : installInterruptHandlers()
        defer { withExtendedLifetime(signals) {} }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as LifeboatError {
            Terminal.error(error, verbose: verbose)
            Foundation.exit(ExitStatus.code(for: error))
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch where String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
            exitParsing(error)  // --help and friends are delivered as errors from run()
        } catch {
            // Anything the library did not describe itself: still one line and the documented code.
            Terminal.error(LifeboatError(.io, "\(error); run with --verbose for details", cause: error), verbose: verbose)
            Foundation.exit(ExitStatus.failure)
        }
    }
}

extension Lifeboat {
    /// ArgumentParser's own output for usage errors, --help and --version, but the documented exit code:
    /// 2 for a usage error (ArgumentParser would use 64).
    static func exitParsing(_ error: any Error) -> Never {
        let code = exitCode(for: error)
        guard code == .validationFailure else { self.exit(withError: error) }
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        Foundation.exit(ExitStatus.usage)
    }

    /// SIGINT and SIGTERM end the process groups this process started (command sources, checks,
    /// PostgreSQL's tools: each in a group of its own, which the terminal's Ctrl-C does not reach),
    /// remove this process's scratch folders (restored copies under verification) and exit 130 or 143.
    /// Anything else an interrupted command leaves is safe by design: an uncommitted backup is
    /// invisible and cleaned up by the next one.
    static func installInterruptHandlers() -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                ProcessGroups.killAll()
                ScratchRegistry.removeAll()
                Foundation.exit(number == SIGINT ? ExitStatus.interrupted : 128 + number)
            }
            source.resume()
            return source
        }
    }
}

enum LifeboatVersion {
    static let current = "0.1.0"
}
