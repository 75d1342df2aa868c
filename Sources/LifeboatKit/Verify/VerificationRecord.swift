import Foundation

/// The result of one restore verification: what was restored, how isolated, how long each phase took,
/// what every application check said, and the RTO measured against the tier's. Written to the catalog
/// and, as a small immutable record, to `records/verifications/<id>.json` in the repository, so the
/// history survives a lost catalog and covers every host that shares the repository.
public struct VerificationRecord: Codable, Sendable, Equatable {
    public struct Phase: Codable, Sendable, Equatable {
        public var name: String
        public var seconds: Double
    }

    public struct Check: Codable, Sendable, Equatable {
        public var name: String
        /// `command`, `sql` or `integrity`.
        public var kind: String
        public var passed: Bool
        public var seconds: Double
        /// The check's output (stdout and stderr, or the query's result), at most 16 KiB.
        public var output: String
    }

    public var format = "lifeboat-verification"
    public var version = 1
    public var id: String
    public var service: String
    public var backup: String
    public var host: String
    public var started: String
    public var finished: String
    /// What kept the restored copy away from production: see `Isolation`.
    public var isolation: String
    public var phases: [Phase]
    public var files: Int
    public var bytes: Int64
    public var bytesPerSecond: Double
    public var checks: [Check]
    /// From the start of the verification until its last check ended: restore, compare and checks
    /// (the time a recovery of this backup takes, as a stopwatch measures it).
    public var rtoMeasuredSeconds: Double
    public var rtoTargetSeconds: Double
    public var rtoMet: Bool
    /// `passed`, `failed`, or `not-run` (the scratch filesystem was full: nothing was learned about the
    /// backup, and the report counts it neither as a pass nor as a failure).
    public var outcome: String
    /// Up to 100 problems: differences from the manifest, a failed restore, failed checks.
    public var problems: [String]

    public var passed: Bool { outcome == "passed" }
    public var notRun: Bool { outcome == "not-run" }
}
