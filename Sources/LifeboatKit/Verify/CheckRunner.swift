import Foundation
import GRDB
import Glibc

/// Runs a service's application checks against its restored copy under `target`.
struct CheckRunner {
    static let outputLimit = 16 * 1024
    let target: String

    /// `PRAGMA integrity_check` of a restored SQLite database: always the first check of a sqlite service.
    func integrity(of database: String) -> VerificationRecord.Check {
        var check = run(CheckSpec(kind: .sql("PRAGMA integrity_check", expect: "ok"), timeout: .minutes(30), name: "integrity_check"),
                        database: database)
        check.kind = "integrity"
        return check
    }

    func run(_ spec: CheckSpec, database: String?) -> VerificationRecord.Check {
        let clock = ContinuousClock.now
        let (passed, output, kind): (Bool, String, String)
        switch spec.kind {
        case .command(let command):
            (passed, output) = runCommand(command, timeout: TimeInterval(spec.timeout.seconds))
            kind = "command"
        case .sql(let query, let expect):
            if let database {
                (passed, output) = runQuery(query, expect: expect, database: database, timeout: TimeInterval(spec.timeout.seconds))
            } else {
                (passed, output) = (false, "no restored database to query")
            }
            kind = "sql"
        }
        return VerificationRecord.Check(name: spec.name, kind: kind, passed: passed, seconds: (ContinuousClock.now - clock).inSeconds,
                                        output: Self.bounded(output))
    }

    /// `sh -c` with `LIFEBOAT_TARGET` set and a minimal environment, isolated where possible; exit 0 passes.
    private func runCommand(_ command: String, timeout: TimeInterval) -> (Bool, String) {
        let process = Process()
        let argv = Isolation.wrap(command)
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
                               "HOME": target, "LIFEBOAT_TARGET": target]
        process.currentDirectoryURL = URL(fileURLWithPath: target)
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (false, "cannot start the check: \(error.localizedDescription)") }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + timeout)
        timer.setEventHandler { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        timer.resume()
        // Output is collected as it comes; once the check has exited (or was killed), whatever a
        // leftover grandchild still holds open is not waited for.
        let collected = OutputBuffer(limit: Self.outputLimit * 2)
        pipe.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        process.waitUntilExit()
        timer.cancel()
        Thread.sleep(forTimeInterval: 0.05)
        pipe.fileHandleForReading.readabilityHandler = nil
        let output = collected.data
        var text = String(decoding: output, as: UTF8.self)
        if process.terminationReason == .uncaughtSignal {
            text += "\n[check stopped after its timeout of \(Int(timeout))s]"
            return (false, text)
        }
        if process.terminationStatus != 0 { text += "\n[exit status \(process.terminationStatus)]" }
        return (process.terminationStatus == 0, text)
    }

    /// Runs a query read-only; passes when it succeeds and its first row (columns joined by `|`) equals
    /// `expect`, if given.
    private func runQuery(_ query: String, expect: String?, database: String, timeout: TimeInterval) -> (Bool, String) {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: database, configuration: configuration)
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now() + timeout)
            timer.setEventHandler { queue.interrupt() }
            timer.resume()
            defer { timer.cancel() }
            let rows = try queue.read { db in try Row.fetchAll(db, sql: query) }
            let first = rows.first.map { row in row.databaseValues.map { $0.isNull ? "NULL" : "\($0.storage.value ?? "")" }.joined(separator: "|") } ?? ""
            let shown = rows.prefix(20).map { row in row.databaseValues.map { "\($0.storage.value ?? "NULL")" }.joined(separator: "|") }.joined(separator: "\n")
            if let expect, first != expect {
                return (false, "expected \(expect), got \(first)\n\(shown)")
            }
            return (true, shown)
        } catch {
            return (false, "\(error)")
        }
    }

    static func bounded(_ text: String) -> String {
        guard text.utf8.count > outputLimit else { return text }
        return String(decoding: Array(text.utf8.suffix(outputLimit)), as: UTF8.self) + "\n[output truncated to its last 16 KiB]"
    }
}

/// Bytes appended from a reader thread, kept up to a limit.
private final class OutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = Data()
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func append(_ chunk: Data) {
        lock.lock()
        if bytes.count < limit { bytes.append(chunk.prefix(limit - bytes.count)) }
        lock.unlock()
    }

    var data: Data {
        lock.lock()
        defer { lock.unlock() }
        return bytes
    }
}
