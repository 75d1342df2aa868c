import Foundation
import Glibc

/// Runs a command and captures its standard output into a file (the content a `command` source backs
/// up: a dump, an export). A non-zero exit, a signal or the timeout is an error that carries the end of
/// the command's standard error; the partial output is never backed up.
enum CommandCapture {
    /// The longest stretch of standard error kept (its end, where the reason usually is).
    static let stderrLimit = 64 * 1024

    /// Runs `arguments` (the first is the program, looked up on PATH) with stdout into `output`, in its
    /// own process group: the timeout ends the command and everything it started (SIGTERM, then SIGKILL
    /// after `grace` seconds).
    static func run(_ arguments: [String], into output: String, timeout: TimeInterval?, grace: Double = 5) throws {
        guard let program = arguments.first else { throw LifeboatError(.configuration, "the command source has no command to run") }
        let process: GroupProcess
        do {
            process = try GroupProcess(argv: arguments, environment: ProcessInfo.processInfo.environment, workdir: nil,
                                       stdout: .file(output), grace: grace, outputLimit: stderrLimit)
        } catch let error as LifeboatError {
            throw LifeboatError(.io, "cannot start the command source's \(program): \(error.message)", cause: error)
        }
        let result = process.wait(timeout: timeout)
        let message = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let detail = message.isEmpty ? "" : ": \(message.suffix(2000))"
        if result.timedOut {
            let limit = LifeboatDuration(seconds: Int64((timeout ?? 0).rounded()))
            throw LifeboatError(.io, "command \(program) ran longer than its timeout of \(limit) and was stopped with everything it started; "
                + "nothing was backed up; raise `timeout` or make the command faster\(detail)")
        }
        switch result.ending {
        case .signaled(let signal):
            throw LifeboatError(.io, "command \(program) was killed by signal \(signal); nothing was backed up\(detail)")
        case .exited(let status) where status != 0:
            throw LifeboatError(.io, "command \(program) exited with status \(status); nothing was backed up\(detail)")
        case .exited:
            break
        }
    }
}
