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
        let environment = ["PATH": GroupProcess.minimalPath, "LANG": "C.UTF-8",
                           "HOME": target, "LIFEBOAT_TARGET": target]
        let result = ChildProcess.run(Isolation.wrap(command), environment: environment, directory: target, timeout: timeout)
        var text = result.output
        if result.killedByTimeout { return (false, text + "\n[check stopped after its timeout of \(Int(timeout))s]") }
        if result.signaled { return (false, text + "\n[killed by signal \(result.status)]") }
        if result.status != 0 { text += "\n[exit status \(result.status)]" }
        return (result.succeeded, text)
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
