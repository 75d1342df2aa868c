import Foundation

extension Workspace {
    /// Restores a backup into a scratch folder, compares it with its manifest, runs the service's
    /// application checks on it (a sqlite service's `PRAGMA integrity_check` always first; for a postgres
    /// service a throwaway server on the restored data directory, `pg_amcheck`, then its SQL), and records
    /// the verification: in the catalog, as a job run, and as an immutable record in the repository.
    /// The RTO measured is the wall time from the start of the verification until its last check
    /// ended (restore, compare and checks, and what precedes them), compared with the service's tier RTO.
    public func verifyRestore(_ record: BackupRecord, scratchParent: String?,
                              progress: (RestoreProgress) -> Void = { _ in }) throws -> RestoreVerification {
        let started = Date()
        let service = config.services.first { $0.name == record.service }
        var isolation: String?
        var checksEnded: Date?
        let result = try RestoreVerifier(repository: repository, scratchParent: scratchParent).verify(record, progress: progress) { target in
            defer { checksEnded = Date() }
            guard let service else { return [] }
            let runner = CheckRunner(target: target)
            if case .postgres(let dsn, let dataDirectory, _, _) = service.source {
                let restored = target + "/" + TreePath(absolute: dataDirectory).description
                let outcome = PostgresChecks(dataDirectory: restored, scratch: target, dsn: dsn).run(service.checks, runner: runner)
                isolation = outcome.isolation
                return outcome.checks
            }
            var database: String?
            var checks: [VerificationRecord.Check] = []
            if case .sqlite(let path) = service.source {
                let restored = target + "/" + TreePath(absolute: path).description
                database = restored
                checks.append(runner.integrity(of: restored))
            }
            return checks + service.checks.map { runner.run($0, database: database) }
        }
        let finished = Date()
        let tier = service.flatMap { try? config.tier(for: $0) }
        // As a stopwatch sees it: from the start (lease, scratch folder, restore) until the last check
        // ended, the compare included; without checks, until the verification ended.
        let rto = (checksEnded ?? finished).timeIntervalSince(started)
        let target = tier.map { Double($0.rto.seconds) } ?? 0
        // A verification that could not run measured no RTO: it neither meets nor breaks the target.
        let verification = VerificationRecord(
            id: "\(BackupID.make(at: started))-\(record.service)", service: record.service, backup: record.id,
            host: ProcessInfo.processInfo.hostName, started: Timestamp.format(started), finished: Timestamp.format(finished),
            isolation: isolation ?? (result.checks.contains(where: { $0.kind == "command" }) ? Isolation.available : "restore only: no commands ran"),
            phases: [.init(name: "restore", seconds: result.restoreSeconds), .init(name: "compare", seconds: result.compareSeconds),
                     .init(name: "checks", seconds: result.checkSeconds)],
            files: result.files, bytes: result.bytes,
            bytesPerSecond: result.restoreSeconds > 0 ? Double(result.bytes) / result.restoreSeconds : 0,
            checks: result.checks, rtoMeasuredSeconds: rto, rtoTargetSeconds: target, rtoMet: tier == nil || result.notRun != nil || rto <= target,
            outcome: result.notRun != nil ? "not-run" : result.ok ? "passed" : "failed",
            problems: result.notRun.map { ["not run (no space): \($0)"] } ?? Array(result.problems.prefix(100)))
        var warnings: [String] = []
        do { try repository.write(verification: verification) } catch { warnings.append("\(error)") }
        do { try catalog.record(verification: verification) } catch { warnings.append("\(error)") }
        _ = try? catalog.recordJob(JobRun(kind: "verify", service: record.service, backupID: record.id, started: Timestamp.format(started),
                                          finished: Timestamp.format(finished), outcome: result.notRun != nil ? "not-run" : result.ok ? "success" : "failed",
                                          bytes: result.bytes, error: result.notRun.map { "not run (no space): \($0)" } ?? result.problems.first))
        var returned = result
        returned.problems += warnings
        return returned
    }
}
