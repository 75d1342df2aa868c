import Foundation
import Glibc

/// Runs a command and captures its standard output into a file (the content a `command` source backs
/// up: a dump, an export). A non-zero exit, a signal or the timeout is an error that carries the end of
/// the command's standard error; the partial output is never backed up.
enum CommandCapture {
    /// The longest stretch of standard error kept (its end, where the reason usually is).
    static let stderrLimit = 64 * 1024

    /// Runs `arguments` (the first is the program, looked up on PATH) with stdout into `output`.
    static func run(_ arguments: [String], into output: String, timeout: TimeInterval?) throws {
        guard let program = arguments.first else { throw LifeboatError(.configuration, "the command source has no command to run") }
        guard FileManager.default.createFile(atPath: output, contents: nil), let sink = FileHandle(forWritingAtPath: output) else {
            throw LifeboatError(.io, "cannot create \(output) for the command's output")
        }
        defer { try? sink.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = sink
        process.standardInput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw LifeboatError(.io, "cannot start \(program): \(error.localizedDescription)", cause: error)
        }
        let timer = timeout.map { seconds -> any DispatchSourceTimer in
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now() + seconds)
            timer.setEventHandler { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            timer.resume()
            return timer
        }
        var tail = Data()
        while true {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            tail.append(chunk)
            if tail.count > stderrLimit { tail = tail.suffix(stderrLimit) }
        }
        process.waitUntilExit()
        timer?.cancel()
        let message = String(decoding: tail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let detail = message.isEmpty ? "" : ": \(message.suffix(2000))"
        if process.terminationReason == .uncaughtSignal {
            let reason = process.terminationStatus == SIGKILL && timeout != nil ? "ran longer than its timeout and was killed" : "was killed by signal \(process.terminationStatus)"
            throw LifeboatError(.io, "command \(program) \(reason); nothing was backed up\(detail)")
        }
        if process.terminationStatus != 0 {
            throw LifeboatError(.io, "command \(program) exited with status \(process.terminationStatus); nothing was backed up\(detail)")
        }
    }
}
