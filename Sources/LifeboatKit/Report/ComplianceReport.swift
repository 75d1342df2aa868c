import Foundation

/// The RTO/RPO compliance report: every figure computed from what Lifeboat recorded (backups,
/// verifications, drills, job runs), never from what was configured, except the targets themselves.
///
/// This type is also the JSON schema (`"schema": 1`, documented in `docs/report-schema.md`): all
/// durations are in seconds, all times ISO 8601 UTC; a figure that could not be measured is `null`.
public struct ComplianceReport: Codable, Sendable, Equatable {
    public var schema = 1
    /// When the report was computed for (`--at`, default now).
    public var at: String
    public var windowStart: String
    public var windowSeconds: Double
    public var repository: String
    /// True when nothing at all was recorded: no backups, verifications or drills.
    public var noData: Bool
    /// One line per tier: how many services comply, are at risk, are breached.
    public var summary: [TierSummary]
    public var services: [ServiceCompliance]
    /// Failed jobs, verifications and drills in the window, newest first.
    public var failures: [Failure]
    /// Breaches that are still open now, in the order of the services in the configuration.
    public var openBreaches: [Breach]

    /// Breached when any service is breached (exit 4).
    public var anyBreach: Bool { services.contains { $0.status == .breached } }

    public init(at: String, windowStart: String, windowSeconds: Double, repository: String, noData: Bool,
                summary: [TierSummary], services: [ServiceCompliance], failures: [Failure], openBreaches: [Breach]) {
        self.at = at
        self.windowStart = windowStart
        self.windowSeconds = windowSeconds
        self.repository = repository
        self.noData = noData
        self.summary = summary
        self.services = services
        self.failures = failures
        self.openBreaches = openBreaches
    }

    public enum Status: String, Codable, Sendable, Comparable {
        case compliant
        case atRisk = "at risk"
        case breached

        var rank: Int { self == .compliant ? 0 : self == .atRisk ? 1 : 2 }
        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }
    }

    public struct TierSummary: Codable, Sendable, Equatable {
        public var tier: String
        public var rtoTargetSeconds: Double
        public var rpoTargetSeconds: Double
        public var compliant: Int
        public var atRisk: Int
        public var breached: Int
        /// Share of the tier's backups (and of their stored bytes) in the window that a restore
        /// verification passed for; `nil` when the tier had no backups in the window.
        public var verifiedBackupShare: Double?
        public var verifiedByteShare: Double?
    }

    public struct ServiceCompliance: Codable, Sendable, Equatable {
        public var service: String
        public var tier: String
        public var status: Status
        /// Why the status is not compliant, one line each (breaches first).
        public var reasons: [String]
        public var rpo: RPOFigures
        public var verifiedRPO: RPOFigures
        /// RPO counting a backup only once a copy of it reached another repository; nil for a service
        /// that neither copies (`copy_to`) nor was ever copied.
        public var offsite: Offsite? = nil
        public var rto: RTOFigures
        public var coverage: Coverage
        public var drills: DrillFigures
        /// Recovery-point age over the window, for the chart: (time, age in seconds) at each change.
        public var ageSeries: [AgePoint]
        public var evidence: Evidence
    }

    public struct RPOFigures: Codable, Sendable, Equatable {
        public var targetSeconds: Double
        /// Age of the newest good recovery point at `at` (from when it started reading); `nil`: none.
        public var currentExposureSeconds: Double?
        /// The longest time without a fresh enough recovery point in the window: the largest age a
        /// recovery point reached before the next one was available (or `at`).
        public var worstGapSeconds: Double?
        /// When that worst gap ended (the next recovery point became available, or `at`).
        public var worstGapEnded: String?
        /// Share of the window during which the newest available recovery point was within the target.
        public var compliantShare: Double
        /// Recovery points counted (in the window, plus the one in effect at its start).
        public var recoveryPoints: Int
        public var newestRecoveryPoint: String?
    }

    public struct Offsite: Codable, Sendable, Equatable {
        /// The repositories the tier's `copy_to` names.
        public var targets: [String]
        /// A recovery point counts from when its first copy finished.
        public var rpo: RPOFigures
        public var copiesInWindow: Int
    }

    public struct RTOFigures: Codable, Sendable, Equatable {
        public var targetSeconds: Double
        public var latestVerificationSeconds: Double?
        public var latestVerificationAt: String?
        public var latestDrillSeconds: Double?
        public var latestDrillAt: String?
        /// The largest RTO measured in the window (verifications and drills).
        public var worstSeconds: Double?
        public var worstAt: String?
        /// Today's data size (newest backup) at the latest measured restore throughput.
        public var projectedSeconds: Double?
        public var restoreBytesPerSecond: Double?
        public var dataBytes: Int64?
    }

    public struct Coverage: Codable, Sendable, Equatable {
        public var backupsInWindow: Int
        public var backupsVerified: Int
        public var bytesInWindow: Int64
        public var bytesVerified: Int64
        public var lastGoodVerification: String?
        public var secondsSinceLastGoodVerification: Double?
        /// `met`, `missed`, or `none` when the tier schedules no verification.
        public var cadence: String
        public var verificationsInWindow: Int
        public var failedVerificationsInWindow: Int
    }

    public struct DrillFigures: Codable, Sendable, Equatable {
        public var lastDrill: String?
        public var lastDrillName: String?
        public var lastDrillAt: String?
        public var lastOutcome: String?
        public var rtoAchievedSeconds: Double?
        public var rpoAchievedSeconds: Double?
        /// When the tier's drill cadence next asks for one; `nil` when the tier schedules none.
        public var nextDue: String?
        /// The tier's cadence asked for a drill that has not happened.
        public var overdue: Bool
        public var drillsInWindow: Int
    }

    public struct AgePoint: Codable, Sendable, Equatable {
        public var at: String
        public var ageSeconds: Double
    }

    /// The records each figure rests on, with their checksums and times, for an auditor to trace.
    public struct Evidence: Codable, Sendable, Equatable {
        public var backups: [BackupEvidence]
        public var verifications: [RecordEvidence]
        public var drills: [RecordEvidence]
    }

    public struct BackupEvidence: Codable, Sendable, Equatable {
        public var id: String
        public var kind: String
        public var status: String
        public var started: String
        public var finished: String
        /// SHA-256 of the backup's manifest, as recorded in its `backup.json`.
        public var manifestSHA256: String?
        public var verified: Bool
        /// The figures this backup is evidence for (`current RPO exposure`, `end of the worst RPO gap`...).
        public var supports: [String] = []
    }

    public struct RecordEvidence: Codable, Sendable, Equatable {
        public var id: String
        public var at: String
        public var outcome: String
        /// SHA-256 of the record file in the repository (`records/<kind>/<id>.json`); `nil` when missing.
        public var sha256: String?
        /// What the record says in one line (backup verified, RTO measured...).
        public var detail: String
        /// The RTO the record measured (a verification) or achieved (a drill).
        public var rtoSeconds: Double?
    }

    public struct Failure: Codable, Sendable, Equatable {
        public var at: String
        /// `backup`, `verify`, `drill`, `prune`...
        public var kind: String
        public var service: String?
        public var id: String?
        public var error: String
    }

    public struct Breach: Codable, Sendable, Equatable {
        public var service: String
        public var tier: String
        public var what: String
    }
}
