import Foundation

/// A postgres service's application checks: a throwaway server started on the restored data directory
/// (`server start`), `pg_amcheck --all` where this PostgreSQL has it, then the service's checks (SQL
/// through `psql -At` against that server, commands as for any service). The server is always stopped,
/// also when a check fails.
struct PostgresChecks {
    static let amcheckTimeout: TimeInterval = 30 * 60

    let dataDirectory: String
    let scratch: String
    let dsn: String

    /// The checks' results and the isolation the server ran under.
    func run(_ specs: [CheckSpec], runner: CheckRunner) -> (checks: [VerificationRecord.Check], isolation: String) {
        let clock = ContinuousClock.now
        func elapsed(since start: ContinuousClock.Instant) -> Double { (ContinuousClock.now - start).inSeconds }
        let server: PostgresServer
        do {
            server = try PostgresServer(dataDirectory: dataDirectory, scratch: scratch)
        } catch {
            let failed = VerificationRecord.Check(name: "server start", kind: "command", passed: false, seconds: elapsed(since: clock),
                                                  output: "\(error)")
            return ([failed] + specs.map { skipped($0) }, Isolation.available)
        }
        defer { server.stop() }
        let started = server.start()
        let startSeconds = elapsed(since: clock)
        guard started.succeeded else {
            let reason = started.killedByTimeout ? "\n[pg_ctl stopped after \(PostgresServer.startTimeout + 30)s]" : "\n[exit status \(started.status)]"
            let failed = VerificationRecord.Check(name: "server start", kind: "command", passed: false, seconds: startSeconds,
                                                  output: CheckRunner.bounded(started.output + reason))
            return ([failed] + specs.map { skipped($0) }, server.isolation)
        }
        var checks = [VerificationRecord.Check(
            name: "server start", kind: "command", passed: true, seconds: startSeconds,
            output: CheckRunner.bounded("PostgreSQL started on \(server.runDirectory)/.s.PGSQL.\(server.port) in \(String(format: "%.2f", startSeconds))s "
                + "as uid \(server.account.uid); isolation: \(server.isolation)\n" + started.output))]
        let candidates = [server.account.name, PostgresDSN.value("user", in: dsn), "postgres"].compactMap { $0 }
        let user = server.superuser(candidates: candidates) ?? PostgresDSN.value("user", in: dsn) ?? server.account.name ?? "postgres"
        if server.hasAmcheck {
            let amcheckClock = ContinuousClock.now
            let result = server.amcheck(user: user, timeout: Self.amcheckTimeout)
            var output = result.output
            if result.killedByTimeout { output += "\n[pg_amcheck stopped after its timeout of \(Int(Self.amcheckTimeout))s]" }
            else if !result.succeeded { output += "\n[exit status \(result.status)]" }
            checks.append(VerificationRecord.Check(name: "pg_amcheck", kind: "integrity", passed: result.succeeded,
                                                   seconds: elapsed(since: amcheckClock), output: CheckRunner.bounded(output)))
        }
        let database = PostgresDSN.value("dbname", in: dsn) ?? "postgres"
        for spec in specs {
            switch spec.kind {
            case .command:
                checks.append(runner.run(spec, database: nil))
            case .sql(let query, let expect):
                let queryClock = ContinuousClock.now
                let timeout = TimeInterval(spec.timeout.seconds)
                let result = server.psql(query, user: user, database: database, timeout: timeout)
                var passed = result.succeeded
                var output = result.output.hasSuffix("\n") ? String(result.output.dropLast()) : result.output
                if result.killedByTimeout {
                    output += "\n[check stopped after its timeout of \(Int(timeout))s]"
                } else if !result.succeeded {
                    output += "\n[psql exit status \(result.status)]"
                } else if let expect {
                    let first = String(result.output.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
                    if first != expect {
                        passed = false
                        output = "expected \(expect), got \(first)\n\(output)"
                    }
                }
                checks.append(VerificationRecord.Check(name: spec.name, kind: "sql", passed: passed,
                                                       seconds: elapsed(since: queryClock), output: CheckRunner.bounded(output)))
            }
        }
        return (checks, server.isolation)
    }

    private func skipped(_ spec: CheckSpec) -> VerificationRecord.Check {
        VerificationRecord.Check(name: spec.name, kind: { if case .sql = spec.kind { "sql" } else { "command" } }(), passed: false, seconds: 0,
                                 output: "not run: the PostgreSQL server did not start")
    }
}
