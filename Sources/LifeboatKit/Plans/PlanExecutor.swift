import Foundation
import Synchronization

/// What the executor tells its caller while a plan runs (from several threads, one event at a time).
public enum PlanEvent: Sendable {
    case stepStarted(step: String, attempt: Int)
    case stepRetrying(step: String, attempt: Int, delay: Double, reason: String)
    case stepFinished(step: String, state: String, seconds: Double, detail: String?)
    /// Once a second while steps run.
    case budget(RTOBudget, running: [String])
    case stopping(reason: String)
    case rollbackStarted(step: String)
    case rollbackFinished(step: String, succeeded: Bool, detail: String)
}

/// A question for a person, from an `approval` step.
public struct ApprovalRequest: Sendable {
    public var step: String
    public var prompt: String
    /// Seconds to wait for an answer.
    public var timeout: Double
    /// True once the plan is stopping: stop waiting and answer `.noAnswer`.
    public var isCancelled: @Sendable () -> Bool
}

public enum ApprovalAnswer: Sendable, Equatable {
    case approved(by: String)
    case refused(String)
    case noAnswer(String)
}

/// How and where a plan runs.
public struct PlanContext: Sendable {
    /// The `lifeboat` program, for `restore` and `verify` steps (which run as their own processes).
    public var lifeboatExecutable: String?
    /// The configuration those steps use.
    public var configPath: String
    /// Extra variables for every command (`LIFEBOAT_TARGET`...), on top of the minimal environment.
    public var environment: [String: String]
    /// Expected seconds per step (past runs); steps without one count their timeout.
    public var estimates: [String: Double]
    /// At most this many steps at once; the plan's `parallel` when nil.
    public var parallel: Int?
    /// The plan is stopped (outcome `timed out`) when this passes: a drill's `max_duration`.
    public var deadline: ContinuousClock.Instant?
    /// Seconds between SIGTERM and SIGKILL when a step is stopped.
    public var grace: Double
    public var drill: String?

    public init(lifeboatExecutable: String?, configPath: String, environment: [String: String] = [:],
                estimates: [String: Double] = [:], parallel: Int? = nil, deadline: ContinuousClock.Instant? = nil,
                grace: Double = 5, drill: String? = nil) {
        self.lifeboatExecutable = lifeboatExecutable
        self.configPath = ConfigPath.absolute(configPath, relativeTo: FileManager.default.currentDirectoryPath)
        self.environment = environment
        self.estimates = estimates
        self.parallel = parallel
        self.deadline = deadline
        self.grace = grace
        self.drill = drill
    }
}

/// Runs a (resolved, validated) plan: each step as soon as its needs are met, up to the parallel cap;
/// retries with backoff; per-attempt timeouts that stop the whole process group; and, when a critical
/// step fails or the run is interrupted, the rollbacks of completed steps, newest first.
public final class PlanExecutor: Sendable {
    public typealias Approver = @Sendable (ApprovalRequest) -> ApprovalAnswer

    let plan: Plan
    let graph: PlanGraph
    let context: PlanContext
    let approver: Approver
    private let onEvent: @Sendable (PlanEvent) -> Void
    private let eventLock = Mutex(())
    private let state = Mutex(RunState())
    private let wake = DispatchSemaphore(value: 0)

    enum StopReason: Equatable {
        case interrupted
        case criticalFailure(String)
        case deadline

        var outcome: String {
            switch self {
            case .interrupted: "interrupted"
            case .criticalFailure: "failed"
            case .deadline: "timed out"
            }
        }
    }

    struct RunState {
        var steps: [String: PlanRunRecord.Step] = [:]
        var startedAt: [String: ContinuousClock.Instant] = [:]
        var running: Set<String> = []
        var completed: [String] = []
        var processes: [String: GroupProcess] = [:]
        var stop: StopReason?
    }

    public init(plan: Plan, context: PlanContext, approver: @escaping Approver, onEvent: @escaping @Sendable (PlanEvent) -> Void = { _ in }) {
        self.plan = plan
        graph = PlanGraph(plan)
        self.context = context
        self.approver = approver
        self.onEvent = onEvent
        state.withLock { state in
            for step in plan.steps {
                state.steps[step.id] = PlanRunRecord.Step(id: step.id, kind: step.action.kind, state: "pending", critical: step.critical,
                                                         continueOnError: step.continueOnError, started: nil, seconds: 0, attempts: [])
            }
        }
    }

    /// Stops the run as Ctrl-C does: nothing new starts, running steps are stopped, rollbacks run.
    public func interrupt() { stop(.interrupted) }

    var isStopping: Bool { state.withLock { $0.stop != nil } }

    func emit(_ event: PlanEvent) { eventLock.withLock { _ in onEvent(event) } }

    func stop(_ reason: StopReason) {
        let processes = state.withLock { state -> [GroupProcess] in
            if state.stop == nil { state.stop = reason }
            return Array(state.processes.values)
        }
        processes.forEach { $0.stop() }
        wake.signal()
    }

    /// Runs the plan to its end and returns what happened; never throws (failures are in the record).
    public func run() -> PlanRunRecord {
        let clock = ContinuousClock.now
        let startedAt = Date()
        var announcedStop = false
        while true {
            let (launch, running, stopping) = state.withLock { state -> ([PlanStep], Int, StopReason?) in
                skipBlocked(&state)
                guard state.stop == nil else { return ([], state.running.count, state.stop) }
                let cap = max(1, context.parallel ?? plan.parallel)
                var launch: [PlanStep] = []
                for id in graph.order where state.running.count + launch.count < cap {
                    guard state.steps[id]?.state == "pending", let step = plan.step(id), isReady(step, state) else { continue }
                    launch.append(step)
                }
                for step in launch {
                    state.steps[step.id]?.state = "running"
                    state.steps[step.id]?.started = Timestamp.format(Date())
                    state.startedAt[step.id] = .now
                    state.running.insert(step.id)
                }
                return (launch, state.running.count, nil)
            }
            if let stopping, !announcedStop {
                announcedStop = true
                emit(.stopping(reason: describe(stopping)))
            }
            for step in launch { Thread.detachNewThread { [self] in execute(step) } }
            if running == 0 { break }
            // Wake at the deadline (once), else every second for the budget.
            let wait = stopping != nil ? 1.0 : min(1.0, context.deadline.map { max(0, ($0 - .now).inSeconds) } ?? 1.0)
            if wake.wait(timeout: .now() + wait) == .timedOut {
                if let deadline = context.deadline, ContinuousClock.now >= deadline { stop(.deadline) }
                emit(.budget(budget(elapsed: (ContinuousClock.now - clock).inSeconds), running: state.withLock { $0.running.sorted() }))
            }
        }
        let stopReason = state.withLock { state -> StopReason? in
            for id in graph.order where state.steps[id]?.state == "pending" {
                state.steps[id]?.state = state.stop == nil ? "skipped" : "cancelled"
                state.steps[id]?.detail = state.stop.map { "not started: the plan stopped (\(describe($0)))" } ?? "not started"
            }
            return state.stop
        }
        let rollbacks = stopReason == nil ? [] : runRollbacks()
        let elapsed = (ContinuousClock.now - clock).inSeconds
        let steps = state.withLock { state in plan.steps.compactMap { state.steps[$0.id] } }
        let failed = steps.contains { ($0.state == "failed" && !$0.continueOnError) || $0.state == "skipped" || $0.state == "cancelled" }
        let outcome = stopReason?.outcome ?? (failed ? "failed" : "succeeded")
        return PlanRunRecord(id: BackupID.make(at: startedAt), plan: plan.name, file: plan.file, host: ProcessInfo.processInfo.hostName,
                             tier: plan.tier, started: Timestamp.format(startedAt), finished: Timestamp.format(Date()),
                             elapsedSeconds: elapsed, rtoTargetSeconds: Double(plan.rto.seconds),
                             rtoMet: outcome == "succeeded" && elapsed <= Double(plan.rto.seconds), outcome: outcome,
                             drill: context.drill, steps: steps, rollbacks: rollbacks)
    }

    /// The RTO budget now: elapsed time plus the longest path of steps still to run.
    func budget(elapsed: Double) -> RTOBudget {
        let (finished, running) = state.withLock { state -> (Set<String>, [String: Double]) in
            let finished = Set(state.steps.values.filter { !["pending", "running"].contains($0.state) }.map(\.id))
            let running = Dictionary(uniqueKeysWithValues: state.startedAt.filter { state.running.contains($0.key) }
                .map { ($0.key, (ContinuousClock.now - $0.value).inSeconds) })
            return (finished, running)
        }
        let remaining = graph.remaining(estimates: context.estimates, finished: finished, running: running)
        return RTOBudget(elapsed: elapsed, remaining: remaining, rto: Double(plan.rto.seconds))
    }

    private func describe(_ reason: StopReason) -> String {
        switch reason {
        case .interrupted: "interrupted"
        case .criticalFailure(let step): "critical step \(step) failed"
        case .deadline: "the time allowed ran out"
        }
    }

    /// A step may start once every need succeeded (or failed with `continue_on_error`).
    private func isReady(_ step: PlanStep, _ state: RunState) -> Bool {
        step.needs.allSatisfy { need in
            guard let record = state.steps[need] else { return false }
            return record.state == "succeeded" || (record.state == "failed" && record.continueOnError)
        }
    }

    /// Pending steps whose need failed (without `continue_on_error`) or was skipped will never run.
    private func skipBlocked(_ state: inout RunState) {
        guard state.stop == nil else { return }  // once stopping, what did not start is cancelled instead
        for id in graph.order where state.steps[id]?.state == "pending" {
            guard let step = plan.step(id) else { continue }
            if let blocker = step.needs.first(where: { need in
                guard let record = state.steps[need] else { return false }
                return (record.state == "failed" && !record.continueOnError) || record.state == "skipped" || record.state == "cancelled"
            }) {
                let detail = "not started: it needs \(blocker), which \(state.steps[blocker]?.state == "failed" ? "failed" : "did not run")"
                state.steps[id]?.state = "skipped"
                state.steps[id]?.detail = detail
                emit(.stepFinished(step: id, state: "skipped", seconds: 0, detail: detail))
            }
        }
    }

    /// Runs a step's attempts (with backoff between them) on its own thread, then records the result.
    private func execute(_ step: PlanStep) {
        let clock = ContinuousClock.now
        var attempts: [PlanRunRecord.Attempt] = []
        var recoveryPoint: PlanRunRecord.RecoveryPoint?
        var succeeded = false
        for number in 1...(step.retries + 1) {
            if isStopping { break }
            emit(.stepStarted(step: step.id, attempt: number))
            let started = Date()
            let outcome = StepAttempt(executor: self, step: step).perform()
            attempts.append(PlanRunRecord.Attempt(number: number, started: Timestamp.format(started), seconds: outcome.seconds,
                                                  outcome: outcome.outcome, exitStatus: outcome.exitStatus, detail: outcome.detail,
                                                  output: outcome.output))
            if outcome.outcome == "succeeded" {
                succeeded = true
                recoveryPoint = outcome.recoveryPoint
                break
            }
            guard number <= step.retries, !isStopping else { break }
            // Doubling, capped at a day: 2^(n-1) of a long delay overflows the clock's milliseconds otherwise.
            let delay = min(Double(step.retryDelay.seconds) * pow(2, Double(min(number - 1, 62))), 86_400)
            emit(.stepRetrying(step: step.id, attempt: number + 1, delay: delay, reason: outcome.detail))
            sleep(seconds: delay)
        }
        let seconds = (ContinuousClock.now - clock).inSeconds
        let detail = succeeded ? nil : attempts.last.map { "\($0.detail)\(attempts.count > 1 ? " (after \(attempts.count) attempts)" : "")" }
            ?? "not started: the plan stopped"
        let stopped = attempts.isEmpty || attempts.last?.outcome == "stopped"
        let finalState = succeeded ? "succeeded" : (stopped ? "cancelled" : "failed")
        state.withLock { state in
            state.steps[step.id]?.state = finalState
            state.steps[step.id]?.seconds = seconds
            state.steps[step.id]?.attempts = attempts
            state.steps[step.id]?.detail = detail
            state.steps[step.id]?.recoveryPoint = recoveryPoint
            state.running.remove(step.id)
            if succeeded { state.completed.append(step.id) }
        }
        emit(.stepFinished(step: step.id, state: finalState, seconds: seconds, detail: detail))
        if finalState == "failed" && step.critical && !step.continueOnError { stop(.criticalFailure(step.id)) }
        wake.signal()
    }

    /// Sleeps up to `seconds`, waking early when the plan stops.
    func sleep(seconds: Double) {
        let end = ContinuousClock.now + .milliseconds(Int64(min(max(seconds, 0), 86_400 * 365) * 1000))
        while ContinuousClock.now < end && !isStopping { usleep(50_000) }
    }

    /// Registers the process of a running step so that `stop` reaches it; false when already stopping
    /// (the caller stops the process itself).
    func track(_ process: GroupProcess?, for step: String) -> Bool {
        state.withLock { state in
            state.processes[step] = process
            return state.stop == nil
        }
    }

    /// Rollbacks of the steps that succeeded, newest first; each runs once, with the step's timeout.
    private func runRollbacks() -> [PlanRunRecord.Rollback] {
        let completed = state.withLock { $0.completed }
        var done: [PlanRunRecord.Rollback] = []
        for id in completed.reversed() {
            guard let step = plan.step(id), let rollback = step.rollback else { continue }
            emit(.rollbackStarted(step: id))
            let started = Date()
            var spec = rollback
            if case .run(let command) = step.action {
                spec.environment = command.environment.merging(rollback.environment) { $1 }
                spec.workdir = rollback.workdir ?? command.workdir
            }
            let result: (Bool, String, String, Double)
            do {
                let process = try GroupProcess(argv: spec.argv, environment: environment(for: step, extra: spec.environment),
                                               workdir: spec.workdir, grace: context.grace)
                let outcome = process.wait(timeout: Double(step.effectiveTimeout.seconds))
                let detail = outcome.timedOut ? "stopped after its timeout of \(step.effectiveTimeout)" : outcome.ending.description
                result = (outcome.succeeded, detail, outcome.output, outcome.seconds)
            } catch {
                result = (false, "\(error)", "", 0)
            }
            done.append(PlanRunRecord.Rollback(step: id, started: Timestamp.format(started), seconds: result.3, succeeded: result.0,
                                               detail: result.1, output: result.2))
            emit(.rollbackFinished(step: id, succeeded: result.0, detail: result.1))
        }
        return done
    }

    /// The environment of a step's commands: a minimal, explicit one (nothing inherited but what is
    /// named here), the context's variables, then the step's own `env`.
    func environment(for step: PlanStep, extra: [String: String]) -> [String: String] {
        GroupProcess.environment(["LIFEBOAT_PLAN": plan.name, "LIFEBOAT_STEP": step.id,
                                  "LIFEBOAT_PLAN_DIR": ConfigPath.absoluteDirectory(of: plan.file)], context.environment, extra)
    }
}
