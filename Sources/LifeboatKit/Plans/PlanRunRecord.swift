import Foundation

/// What one run of a plan did: every step with every attempt, its output tail and timings, the
/// rollbacks, and the RTO verdict. Written to the catalog and, as an immutable record, to
/// `records/plan-runs/<id>.json` in the repository, so `catalog rebuild` restores the history.
public struct PlanRunRecord: Codable, Sendable, Equatable {
    public struct Attempt: Codable, Sendable, Equatable {
        public var number: Int
        public var started: String
        public var seconds: Double
        /// `succeeded`, `failed`, `timed out` or `stopped`.
        public var outcome: String
        public var exitStatus: Int32?
        /// What happened, in one line (`exit status 3`, `refused at the terminal`...).
        public var detail: String
        /// The end of the attempt's output (stdout and stderr), at most 16 KiB.
        public var output: String
    }

    /// The backup a restore step actually restored: what a drill's RPO is measured from.
    public struct RecoveryPoint: Codable, Sendable, Equatable {
        public var service: String
        public var backup: String
        /// When the backup started reading: the newest data it can hold is from after this.
        public var started: String
        public var finished: String
    }

    public struct Step: Codable, Sendable, Equatable {
        public var id: String
        public var kind: String
        /// `succeeded`, `failed`, `skipped` (a need failed) or `cancelled` (the plan stopped before it
        /// started, or stopped it while it ran).
        public var state: String
        public var critical: Bool
        public var continueOnError: Bool
        public var started: String?
        public var seconds: Double
        public var attempts: [Attempt]
        /// Why the step failed, was skipped or cancelled.
        public var detail: String?
        public var recoveryPoint: RecoveryPoint?
    }

    public struct Rollback: Codable, Sendable, Equatable {
        public var step: String
        public var started: String
        public var seconds: Double
        public var succeeded: Bool
        public var detail: String
        public var output: String
    }

    public var format = "lifeboat-plan-run"
    public var version = 1
    public var id: String
    public var plan: String
    public var file: String
    public var host: String
    public var tier: String?
    public var started: String
    public var finished: String
    public var elapsedSeconds: Double
    public var rtoTargetSeconds: Double
    /// The plan succeeded within its RTO.
    public var rtoMet: Bool
    /// `succeeded`, `failed`, `interrupted` or `timed out` (a drill's `max_duration` ran out).
    public var outcome: String
    /// The drill this run was part of, if any.
    public var drill: String?
    public var steps: [Step]
    public var rollbacks: [Rollback]

    public var succeeded: Bool { outcome == "succeeded" }
    /// The plan finished but took longer than its RTO.
    public var breached: Bool { elapsedSeconds > rtoTargetSeconds }
    public var recoveryPoints: [RecoveryPoint] { steps.compactMap(\.recoveryPoint) }
}

/// Where a running plan stands against its RTO.
public struct RTOBudget: Sendable, Equatable {
    public enum Status: String, Sendable {
        case onTrack = "on track"
        case atRisk = "at risk"
        case breached
    }

    public var elapsed: Double
    /// The longest path of steps still to run, from estimates (past runs, else timeouts).
    public var remaining: Double
    public var rto: Double

    /// Breached once the RTO has passed; at risk when what remains no longer fits in it.
    public var status: Status {
        if elapsed > rto { return .breached }
        if elapsed + remaining > rto { return .atRisk }
        return .onTrack
    }
}
