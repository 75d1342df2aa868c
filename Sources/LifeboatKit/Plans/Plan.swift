import Foundation

/// A failover or recovery procedure (`Plans/*.yaml`): a graph of steps, run as soon as their `needs`
/// are met, timed against an RTO. See `Plans/README.md` for the file format.
public struct Plan: Sendable {
    /// The plan's name (`name:`), used for its history in the catalog.
    public var name: String
    /// The file as the caller named it.
    public var file: String
    /// The tier whose RTO the plan is timed against, when `tier:` is given.
    public var tier: String?
    /// `rto:` when given, else the tier's RTO.
    public var rto: LifeboatDuration
    /// The services the plan recovers; every restore/verify step names one of them.
    public var services: [String]
    /// At most this many steps run at once (`parallel:`, default 4).
    public var parallel: Int
    /// `{{name}}` placeholders and their values (defaults from `vars:`, overridden by `--var` or a drill).
    /// A value of `nil` must be supplied at run time.
    public var variables: [String: String?]
    public var steps: [PlanStep]

    public static let defaultParallel = 4

    public init(name: String, file: String, tier: String?, rto: LifeboatDuration, services: [String],
                parallel: Int = Plan.defaultParallel, variables: [String: String?] = [:], steps: [PlanStep]) {
        self.name = name
        self.file = file
        self.tier = tier
        self.rto = rto
        self.services = services
        self.parallel = parallel
        self.variables = variables
        self.steps = steps
    }

    public func step(_ id: String) -> PlanStep? { steps.first { $0.id == id } }
}

/// One step of a plan: one action plus how it is run.
public struct PlanStep: Sendable {
    public var id: String
    public var action: StepAction
    /// Ids of the steps that must have succeeded (or failed with `continue_on_error`) first.
    public var needs: [String]
    /// How long one attempt may take; `nil` means the kind's default (`StepAction.defaultTimeout`).
    public var timeout: LifeboatDuration?
    /// Further attempts after a failed one (0 = run once).
    public var retries: Int
    /// The pause before the first retry; doubled before each further one (exponential backoff).
    public var retryDelay: LifeboatDuration
    /// Undoes the step: run, newest first, when a critical step fails after this one succeeded.
    public var rollback: CommandSpec?
    /// A failure is recorded but does not fail the plan; steps that need this one still run.
    public var continueOnError: Bool
    /// A failure stops the plan: no new steps start, running ones are stopped, rollbacks run.
    public var critical: Bool
    /// The line of the step in its file, for messages.
    public var line: Int

    public init(id: String, action: StepAction, needs: [String] = [], timeout: LifeboatDuration? = nil, retries: Int = 0,
                retryDelay: LifeboatDuration = .seconds(1), rollback: CommandSpec? = nil, continueOnError: Bool = false,
                critical: Bool = false, line: Int = 0) {
        self.id = id
        self.action = action
        self.needs = needs
        self.timeout = timeout
        self.retries = retries
        self.retryDelay = retryDelay
        self.rollback = rollback
        self.continueOnError = continueOnError
        self.critical = critical
        self.line = line
    }

    /// The time one attempt may take.
    public var effectiveTimeout: LifeboatDuration { timeout ?? action.defaultTimeout }
}

/// What a step does.
public enum StepAction: Sendable {
    /// A command (`run:`), with its environment and working folder.
    case run(CommandSpec)
    /// Restores a service's recovery point into a target folder (`restore:`).
    case restore(RestoreStep)
    /// A restore verification of a service's backup (`verify:`).
    case verify(VerifyStep)
    /// A probe retried every `interval` until it succeeds or the step times out (`wait:`).
    case wait(Probe, interval: LifeboatDuration)
    /// A person confirms (`approval:` with the prompt); `--yes` or a drill's `approvals` answer it.
    case approval(prompt: String)

    /// `run`, `restore`, `verify`, `wait` or `approval`.
    public var kind: String {
        switch self {
        case .run: "run"
        case .restore: "restore"
        case .verify: "verify"
        case .wait: "wait"
        case .approval: "approval"
        }
    }

    /// The timeout of an attempt when the step sets none: 10 minutes, 1 hour for restores and verifications.
    public var defaultTimeout: LifeboatDuration {
        switch self {
        case .restore, .verify: .hours(1)
        default: .minutes(10)
        }
    }
}

/// A command to run: a shell line (`bash -c`) or an argument vector, with extra environment variables
/// and a working folder. Commands run with a minimal environment (`PATH`, `HOME`, `LANG`, the plan's
/// `LIFEBOAT_*` variables) plus `env`.
public struct CommandSpec: Sendable, Equatable {
    /// The program and its arguments; a shell line is `["/bin/bash", "-c", line]`.
    public var argv: [String]
    public var environment: [String: String]
    public var workdir: String?

    public init(argv: [String], environment: [String: String] = [:], workdir: String? = nil) {
        self.argv = argv
        self.environment = environment
        self.workdir = workdir
    }

    /// A shell line, run by `bash -c`.
    public static func shell(_ line: String, environment: [String: String] = [:], workdir: String? = nil) -> CommandSpec {
        CommandSpec(argv: ["/bin/bash", "-c", line], environment: environment, workdir: workdir)
    }

    /// The command as a person would type it, for messages.
    public var display: String {
        if argv.count == 3, argv[0] == "/bin/bash", argv[1] == "-c" { return argv[2] }
        return argv.joined(separator: " ")
    }
}

/// `restore: { service: files, backup: latest, target: "{{target}}", mode: force }`.
public struct RestoreStep: Sendable, Equatable {
    public enum Point: Sendable, Equatable {
        case latest
        case id(String)
        /// The newest backup finished at or before this time.
        case at(Date)
    }

    public enum Mode: String, Sendable, Equatable {
        /// The target must be empty (or absent).
        case empty
        /// Write over what is there, leave extras.
        case force
        /// Make the backed-up paths equal the backup (remove extras).
        case exact
    }

    public var service: String
    public var point: Point
    public var target: String
    public var mode: Mode

    public init(service: String, point: Point = .latest, target: String, mode: Mode = .force) {
        self.service = service
        self.point = point
        self.target = target
        self.mode = mode
    }
}

/// `verify: { service: files }`: a restore verification of the service's newest backup (or `backup:`).
public struct VerifyStep: Sendable, Equatable {
    public var service: String
    public var backup: String?

    public init(service: String, backup: String? = nil) {
        self.service = service
        self.backup = backup
    }
}

/// What a `wait` step checks.
public enum Probe: Sendable, Equatable {
    /// Healthy when the command exits 0.
    case command(CommandSpec)
    /// Healthy when a TCP connection to host:port opens.
    case tcp(host: String, port: Int)
    /// Healthy when a GET of the URL answers with `status` (any 2xx when nil).
    case http(url: String, status: Int?)
}
