import Foundation

/// The result of one drill: when the disaster was injected, what the plan did, what the success
/// checks said, and the RTO and RPO achieved against their targets. Written to the catalog and to
/// `records/drills/<id>.json` in the repository.
public struct DrillRecord: Codable, Sendable, Equatable {
    public struct Phase: Codable, Sendable, Equatable {
        /// `prepare`, `setup`, `inject`, `plan`, `checks` or `cleanup`.
        public var name: String
        public var seconds: Double
        public var succeeded: Bool
        public var detail: String
    }

    public var format = "lifeboat-drill"
    public var version = 1
    public var id: String
    public var drill: String
    public var file: String
    public var plan: String
    public var host: String
    public var services: [String]
    public var started: String
    /// When the disaster was injected; `nil` when the drill stopped before that.
    public var disasterAt: String?
    public var finished: String
    /// `passed`, `failed` (not recovered), `breached` (recovered, but RTO or RPO missed) or `interrupted`.
    public var outcome: String
    /// Disaster until every success check passed; `nil` when the service was not recovered.
    public var rtoAchievedSeconds: Double?
    public var rtoTargetSeconds: Double
    /// Disaster time minus the start of the oldest of the newest recovery points the restores used.
    public var rpoAchievedSeconds: Double?
    public var rpoTargetSeconds: Double
    public var recoveryPoints: [PlanRunRecord.RecoveryPoint]
    public var planRun: String?
    public var phases: [Phase]
    public var checks: [VerificationRecord.Check]
    /// Why the drill did not pass, one line each.
    public var problems: [String]

    public var passed: Bool { outcome == "passed" }
}
