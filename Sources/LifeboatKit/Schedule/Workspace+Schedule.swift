import Foundation

/// The outcome of one job started by `runDue`.
public struct JobOutcome: Sendable, Codable {
    public var service: String
    public var job: DueJob
    /// `success`, `partial`, `failed`, or `skipped` (another process holds the service's lock, or made
    /// the backup while this one waited for it).
    public var outcome: String
    public var backup: String?
    public var message: String?
    public var durationSeconds: Double
}

extension Workspace {
    /// Where every configured service stands at `now`, after bringing the catalog's verifications in
    /// line with the repository.
    public func statuses(now: Date) throws -> [ServiceStatus] {
        try syncVerifications()
        return try config.services.map { try status(of: $0, now: now) }
    }

    /// Where `service` stands at `now` (see `ServiceStatus`), from the catalog as it is.
    public func status(of service: Service, now: Date) throws -> ServiceStatus {
        try status(of: service, now: now, backups: backupsForStatus(service.name, now: now))
    }

    /// The backups `DueJobs.status` needs: the newest ones, or, for a moment before the newest of
    /// them (a what-if in the past), the whole history from the catalog.
    func backupsForStatus(_ service: String, now: Date) throws -> [BackupRecord] {
        let recent = try recentBackups(service: service).records
        guard recent.contains(where: { ($0.startedDate ?? .distantPast) > now }) else { return recent }
        return try catalog.backups(service: service)
    }

    /// Where `service` stands at `now`, given its committed backups.
    func status(of service: Service, now: Date, backups: [BackupRecord]) throws -> ServiceStatus {
        let tier = try config.tier(for: service)
        let verified = lastVerification(of: service.name)
        return DueJobs.status(service: service.name, tier: tier, timeZone: tier.timeZone, backups: backups,
                              lastVerification: verified, verifyFailures: verifyFailures(of: service.name, since: verified),
                              now: now)
    }

    /// Runs every job due at `now`: backups first (independent services in parallel, at most
    /// `concurrency` at a time, each under its service lock), then restore verifications. A service
    /// whose lock is held (a job from an earlier run still going) is skipped, not failed, and so is a
    /// backup that another process (another `run-due`, say) made while this one waited for the lock:
    /// whether it is still due is decided again once the lock is held (`DueJobs.doneSince`).
    public func runDue(now: Date, concurrency: Int) throws -> [JobOutcome] {
        try syncVerifications()
        let listed = try config.services.map { (service: $0, records: try backupsForStatus($0.name, now: now)) }
        let statuses = try listed.map { try status(of: $0.service, now: now, backups: $0.records) }
        let seen = Dictionary(uniqueKeysWithValues: listed.map { ($0.service.name, Set($0.records.map(\.id))) })
        let services = Dictionary(uniqueKeysWithValues: config.services.map { ($0.name, $0) })
        let backups = statuses.compactMap { status -> (Service, DueJob)? in
            guard let job = status.due.first(where: { $0 != .verify }), let service = services[status.service] else { return nil }
            return (service, job)
        }
        var outcomes = runInParallel(backups, concurrency: concurrency) { service, job in
            let known = seen[service.name] ?? []
            return runBackupJob(service, mode: job == .full ? .full : .incremental) { listing in
                DueJobs.doneSince(job, seen: known, backups: listing.records).map {
                    "not due any more: backup \($0.id) (\($0.kind.rawValue)) was made by another process while this one waited for the lock"
                }
            }
        }
        // Off-site copies catch up with every backup the targets lack, also ones an earlier run missed.
        let copies = try config.services.compactMap { service -> (Service, DueJob)? in
            try config.tier(for: service).copyTo.isEmpty ? nil : (service, .copy)
        }
        outcomes += runInParallel(copies, concurrency: concurrency) { service, _ in runCopyJobs(service) }
        // Verification is due against the backups as they are now (a first backup just made counts).
        let later = max(now, Date())
        let afterBackups = backups.isEmpty ? statuses : try config.services.map { try status(of: $0, now: later) }
        let verifications = afterBackups.compactMap { status -> (Service, DueJob)? in
            guard status.due.contains(.verify), let service = services[status.service] else { return nil }
            return (service, .verify)
        }
        outcomes += runInParallel(verifications, concurrency: concurrency) { service, _ in runVerifyJob(service) }
        return outcomes
    }

    private func runBackupJob(_ service: Service, mode: BackupMode,
                              superseded: @escaping @Sendable (BackupListing) -> String?) -> JobOutcome {
        let clock = ContinuousClock.now
        let job: DueJob = mode == .full ? .full : .incremental
        FaultPoint.runDueBeforeLock.reach()
        do {
            let result = try backup(service, mode: mode, checksum: false, superseded: superseded)
            return JobOutcome(service: service.name, job: job, outcome: result.record.status == "complete" ? "success" : "partial",
                              backup: result.record.id, message: result.notes.first, durationSeconds: (ContinuousClock.now - clock).inSeconds)
        } catch let error as LifeboatError where error.code == .locked || error.code == .superseded {
            return JobOutcome(service: service.name, job: job, outcome: "skipped", backup: nil, message: error.message,
                              durationSeconds: (ContinuousClock.now - clock).inSeconds)
        } catch {
            return JobOutcome(service: service.name, job: job, outcome: "failed", backup: nil, message: "\(error)",
                              durationSeconds: (ContinuousClock.now - clock).inSeconds)
        }
    }

    /// Copies a service to each repository of its tier's `copy_to`; one outcome for all of them. Target
    /// passphrases come from `LIFEBOAT_TARGET_PASSPHRASE` or each target's `passphrase_file`.
    private func runCopyJobs(_ service: Service) -> JobOutcome {
        let clock = ContinuousClock.now
        var copied: [String] = [], problems: [String] = []
        for target in (try? config.tier(for: service).copyTo) ?? [] {
            do {
                let report = try copy(to: target, services: [service], passphrase: PassphraseSource(naming: .target)).first
                if let report, !report.copied.isEmpty { copied.append("\(report.copied.count) to \(target)") }
                problems += (report?.failed ?? []).map { "\(target): \($0)" }
            } catch let error as LifeboatError where error.code == .locked {
                problems.append("\(target): skipped, \(error.message)")
            } catch {
                problems.append("\(target): \(error)")
            }
        }
        return JobOutcome(service: service.name, job: .copy, outcome: problems.isEmpty ? "success" : "failed", backup: nil,
                          message: problems.first ?? (copied.isEmpty ? "nothing new to copy" : "copied " + copied.joined(separator: ", ")),
                          durationSeconds: (ContinuousClock.now - clock).inSeconds)
    }

    private func runVerifyJob(_ service: Service) -> JobOutcome {
        let clock = ContinuousClock.now
        let started = Date()
        do {
            guard let newest = try recentBackups(service: service.name).records.last else {
                return JobOutcome(service: service.name, job: .verify, outcome: "failed", backup: nil,
                                  message: "no backup to verify", durationSeconds: 0)
            }
            let result = try verifyRestore(newest, scratchParent: nil)
            return JobOutcome(service: service.name, job: .verify, outcome: result.notRun != nil ? "not-run" : result.ok ? "success" : "failed", backup: newest.id,
                              message: result.notRun.map { "not run (no space): \($0)" } ?? result.problems.first,
                              durationSeconds: (ContinuousClock.now - clock).inSeconds)
        } catch {
            // Recorded, so that the scheduler backs off this failure too (`DueJobs.retryDelay`).
            _ = try? catalog.recordJob(JobRun(kind: "verify", service: service.name, started: Timestamp.format(started),
                                              finished: Timestamp.format(Date()), outcome: "failed", error: "\(error)"))
            return JobOutcome(service: service.name, job: .verify, outcome: "failed", backup: nil, message: "\(error)",
                              durationSeconds: (ContinuousClock.now - clock).inSeconds)
        }
    }

    /// Runs `work` for every item on up to `concurrency` threads; results in the items' order.
    private func runInParallel(_ items: [(Service, DueJob)], concurrency: Int,
                               _ work: @escaping @Sendable (Service, DueJob) -> JobOutcome) -> [JobOutcome] {
        guard !items.isEmpty else { return [] }
        let results = ResultSlots(count: items.count)
        let gate = DispatchSemaphore(value: max(1, concurrency))
        let group = DispatchGroup()
        for (index, item) in items.enumerated() {
            gate.wait()
            group.enter()
            DispatchQueue.global().async {
                results.set(index, work(item.0, item.1))
                gate.signal()
                group.leave()
            }
        }
        group.wait()
        return results.all
    }
}

/// Results written by parallel jobs, each into its own slot.
private final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [JobOutcome?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: JobOutcome) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }

    var all: [JobOutcome] {
        lock.lock()
        defer { lock.unlock() }
        return values.compactMap { $0 }
    }
}
