import Foundation

/// A rehearsal of a plan (`Drills/*.yaml`): an isolated target is prepared, a disaster is injected
/// into it, the plan recovers it, and the RTO and RPO achieved are measured against the targets.
/// See `Drills/README.md` for the file format.
public struct Drill: Sendable {
    public var name: String
    /// The file as the caller named it.
    public var file: String
    /// The plan file, resolved against the drill file's folder.
    public var plan: String
    /// When the drill is due (`cadence:`, a cron expression or `daily`/`weekly`/`monthly`/`quarterly`);
    /// `nil` means only on demand.
    public var cadence: CronExpression?
    public var target: DrillTarget
    /// The disaster, applied in order.
    public var inject: [Injection]
    /// Answers to the plan's approval steps, by step id; an approval without an answer is refused.
    public var approvals: [String: Bool]
    public var success: SuccessCriteria
    /// The whole drill (preparation, plan, checks and cleanup) must end within this; the plan is
    /// stopped when it runs out, and cleanup still runs.
    public var maxDuration: LifeboatDuration
    /// Extra values for the plan's `{{placeholders}}` (`vars:`); `target` is always the drill's target.
    public var variables: [String: String]

    public static let defaultMaxDuration = LifeboatDuration.hours(1)

    public init(name: String, file: String, plan: String, cadence: CronExpression?, target: DrillTarget,
                inject: [Injection], approvals: [String: Bool] = [:], success: SuccessCriteria = SuccessCriteria(),
                maxDuration: LifeboatDuration = Drill.defaultMaxDuration, variables: [String: String] = [:]) {
        self.name = name
        self.file = file
        self.plan = plan
        self.cadence = cadence
        self.target = target
        self.inject = inject
        self.approvals = approvals
        self.success = success
        self.maxDuration = maxDuration
        self.variables = variables
    }
}

/// Where a drill's disaster happens: never the production paths.
public struct DrillTarget: Sendable, Equatable {
    public enum Origin: Sendable, Equatable {
        /// A fresh scratch folder holding the latest backup of each of the plan's services (restored
        /// at their absolute paths under it), removed afterwards.
        case backups
        /// A prepared environment at this path (it must exist); left in place afterwards.
        case prepared(path: String)
    }

    public var origin: Origin
    /// Run after the target exists and before the disaster (e.g. start a server on the copy);
    /// `LIFEBOAT_TARGET` holds the target folder.
    public var setup: CommandSpec?
    /// Always run at the end, also after a failure or an interrupt (e.g. stop that server).
    public var teardown: CommandSpec?

    public init(origin: Origin = .backups, setup: CommandSpec? = nil, teardown: CommandSpec? = nil) {
        self.origin = origin
        self.setup = setup
        self.teardown = teardown
    }
}

/// One part of a drill's disaster. Paths are relative to the drill target and cannot leave it.
public enum Injection: Sendable, Equatable {
    /// Removes a file or a folder tree.
    case delete(path: String)
    /// Overwrites `bytes` bytes in the middle of a file with garbage (the file keeps its size).
    case corrupt(path: String, bytes: Int)
    /// Sends a signal (default TERM) to the process whose pid is on the first line of a file.
    case stop(pidFile: String, signal: Int32)
    /// Any command, run with `LIFEBOAT_TARGET` set.
    case command(CommandSpec)
}

/// What a drill must achieve.
public struct SuccessCriteria: Sendable, Equatable {
    /// Overrides the plan's RTO (which is its tier's unless the plan says otherwise).
    public var rto: LifeboatDuration?
    /// Overrides the RPO of the tier of the plan's services.
    public var rpo: LifeboatDuration?
    /// Checks that must pass after the plan, run with `LIFEBOAT_TARGET` set; the RTO achieved is the
    /// time from the disaster until they all pass.
    public var checks: [CheckSpec]

    public init(rto: LifeboatDuration? = nil, rpo: LifeboatDuration? = nil, checks: [CheckSpec] = []) {
        self.rto = rto
        self.rpo = rpo
        self.checks = checks
    }
}
