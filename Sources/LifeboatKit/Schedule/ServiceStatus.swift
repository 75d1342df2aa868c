import Foundation

/// A kind of job the scheduler runs.
public enum DueJob: String, Sendable, Codable, CaseIterable {
    case full, incremental, verify
    /// A copy to the repositories of the tier's `copy_to` (run after the backups; never "due" itself).
    case copy
}

/// Where one service stands against its tier at a moment: what is due, when things run next, how old
/// the newest good backup is and how much of the RPO is left.
public struct ServiceStatus: Sendable, Codable {
    public struct LastBackup: Sendable, Codable {
        public var id: String
        public var kind: String
        public var finished: String
        public var ageSeconds: Double
    }

    /// Restore verifications that failed (or could not run) since the last one that passed: the
    /// scheduler waits before the next attempt instead of restoring again on every `run-due`.
    public struct VerifyBackoff: Sendable, Codable, Equatable {
        /// Attempts in a row that did not pass.
        public var failures: Int
        public var lastFailed: String
        /// When verification is due again (`DueJobs.retryDelay` after the last failure).
        public var retryAt: String
        public var message: String?
    }

    public var service: String
    public var tier: String
    public var timeZone: String
    public var at: String
    /// Jobs due now: `full` or `incremental` (never both), and `verify`.
    public var due: [DueJob]
    public var nextFull: String?
    public var nextIncremental: String?
    public var nextVerify: String?
    public var nextDrill: String?
    public var lastBackup: LastBackup?
    public var lastVerified: String?
    /// Set while verification is held back after failures.
    public var verifyBackoff: VerifyBackoff?
    public var rpoSeconds: Double
    /// RPO minus the age of the newest good backup; negative when the RPO is already breached.
    public var rpoHeadroomSeconds: Double?
    /// Median duration of the last (up to five) backups.
    public var measuredBackupSeconds: Double?
    /// The longest gap between two incremental runs, plus the measured duration.
    public var worstCaseGapSeconds: Double
    /// Whether the cadence plus the measured duration fits in the RPO.
    public var cadenceMeetsRPO: Bool
}

/// Verification attempts that did not pass since the last one that did: how many, when the newest
/// started and what it said.
public struct VerificationFailures: Sendable, Equatable {
    public var count: Int
    public var last: Date
    public var message: String?

    public init(count: Int, last: Date, message: String?) {
        self.count = count
        self.last = last
        self.message = message
    }
}

/// Computes `ServiceStatus` from a tier, the service's committed backups and its last verification.
/// A job is due when its cron expression fired since the last run of that kind: a host that was down
/// for three slots runs the job once, not three times. A verification that failed is retried after
/// `retryDelay(failures:)`, not on every run.
public enum DueJobs {
    /// How long after the `failures`-th failed verification in a row the next attempt waits: one hour,
    /// doubling with each further failure, at most a day.
    public static func retryDelay(failures: Int) -> TimeInterval {
        min(3_600 * pow(2, Double(max(failures, 1) - 1)), 86_400)
    }

    public static func status(service: String, tier: Tier, timeZone: TimeZone, backups: [BackupRecord],
                              lastVerification: Date?, verifyFailures: VerificationFailures? = nil,
                              now: Date) -> ServiceStatus {
        // Backups that existed at `now` (a what-if in the past ignores later ones).
        let good = backups.filter { ($0.status == "complete" || $0.status == "partial") && ($0.startedDate ?? .distantFuture) <= now }
        let newest = good.max { $0.id < $1.id }
        let newestFull = good.filter { $0.kind == .full }.max { $0.id < $1.id }
        var due: [DueJob] = []
        if let slot = tier.full.previous(atOrBefore: now, in: timeZone),
           (newestFull?.startedDate ?? .distantPast) < slot {
            due.append(.full)
        } else if newestFull == nil {
            due.append(.full)
        } else if let slot = tier.incremental.previous(atOrBefore: now, in: timeZone),
                  (newest?.startedDate ?? .distantPast) < slot {
            due.append(.incremental)
        }
        let failures = verifyFailures.flatMap { $0.last > (lastVerification ?? .distantPast) ? $0 : nil }
        let retryAt = failures.map { $0.last.addingTimeInterval(retryDelay(failures: $0.count)) }
        if let verify = tier.verify, newest != nil, let slot = verify.previous(atOrBefore: now, in: timeZone),
           (lastVerification ?? .distantPast) < slot, (retryAt ?? .distantPast) <= now {
            due.append(.verify)
        }
        let measured = good.medianDuration()
        let gap = longestGap(tier.incremental, timeZone: timeZone, from: now) + (measured ?? 0)
        let rpo = Double(tier.rpo.seconds)
        let age = newest?.finishedDate.map { now.timeIntervalSince($0) }
        return ServiceStatus(
            service: service, tier: tier.name, timeZone: timeZone.identifier, at: Timestamp.format(now), due: due,
            nextFull: tier.full.next(after: now, in: timeZone).map(Timestamp.format),
            nextIncremental: tier.incremental.next(after: now, in: timeZone).map(Timestamp.format),
            nextVerify: tier.verify?.next(after: now, in: timeZone).map(Timestamp.format),
            nextDrill: tier.drill?.next(after: now, in: timeZone).map(Timestamp.format),
            lastBackup: newest.map { ServiceStatus.LastBackup(id: $0.id, kind: $0.kind.rawValue, finished: $0.finished, ageSeconds: age ?? 0) },
            lastVerified: lastVerification.map(Timestamp.format),
            verifyBackoff: tier.verify == nil ? nil : failures.map {
                ServiceStatus.VerifyBackoff(failures: $0.count, lastFailed: Timestamp.format($0.last),
                                            retryAt: Timestamp.format(retryAt ?? $0.last), message: $0.message)
            },
            rpoSeconds: rpo, rpoHeadroomSeconds: age.map { rpo - $0 }, measuredBackupSeconds: measured,
            worstCaseGapSeconds: gap, cadenceMeetsRPO: gap <= rpo)
    }

    /// The backup that did `job` after it was found due on the backups `seen` (their ids): one
    /// committed since — a full one for a full job, any for an incremental — means the slot is done
    /// (another `run-due`, or a manual backup, made it). Nil when the job is still due.
    public static func doneSince(_ job: DueJob, seen: Set<String>, backups: [BackupRecord]) -> BackupRecord? {
        let appeared = backups.filter { !seen.contains($0.id) && ($0.status == "complete" || $0.status == "partial") }
        switch job {
        case .full: return appeared.last { $0.kind == .full }
        case .incremental: return appeared.last
        case .verify, .copy: return nil
        }
    }

    /// The longest interval between consecutive runs over the next two weeks.
    static func longestGap(_ cron: CronExpression, timeZone: TimeZone, from start: Date) -> Double {
        var longest = 0.0
        var previous = cron.next(after: start, in: timeZone)
        let end = start.addingTimeInterval(14 * 86_400)
        var steps = 0
        while let current = previous, current < end, steps < 10_000, let following = cron.next(after: current, in: timeZone) {
            longest = max(longest, following.timeIntervalSince(current))
            previous = following
            steps += 1
        }
        return longest
    }
}
