import Foundation
import Glibc
import LifeboatKit
import Synchronization

/// Shows a running plan on stderr: each step's state as it changes, and the RTO budget whenever its
/// status changes (and every 10 s); then a summary on stdout.
final class PlanDisplay: Sendable {
    private let enabled: Bool
    private let rto: LifeboatDuration
    private let clock = ContinuousClock.now
    private let lastBudget = Mutex<(status: String, at: ContinuousClock.Instant)?>(nil)

    init(enabled: Bool, rto: LifeboatDuration) {
        self.enabled = enabled
        self.rto = rto
    }

    private func say(_ text: String) {
        let elapsed = (ContinuousClock.now - clock).inSeconds
        FileHandle.standardError.write(Data(String(format: "[%7.1fs] %@\n", elapsed, text).utf8))
    }

    func show(_ event: PlanEvent) {
        guard enabled else { return }
        switch event {
        case .stepStarted(let step, let attempt):
            say("start    \(step)\(attempt > 1 ? " (attempt \(attempt))" : "")")
        case .stepRetrying(let step, let attempt, let delay, let reason):
            say("retry    \(step): attempt \(attempt) in \(Terminal.seconds(delay)) (\(reason))")
        case .stepFinished(let step, let state, let seconds, let detail):
            let label = ["succeeded": "ok      ", "failed": "FAILED  ", "skipped": "skipped ", "cancelled": "cancel  "][state] ?? state
            say("\(label) \(step)\(state == "succeeded" ? " in \(Terminal.seconds(seconds))" : "")\(detail.map { ": \($0)" } ?? "")")
        case .budget(let budget, let running):
            let show = lastBudget.withLock { last -> Bool in
                let due = last.map { $0.status != budget.status.rawValue || ContinuousClock.now - $0.at >= .seconds(10) } ?? true
                if due { last = (budget.status.rawValue, .now) }
                return due
            }
            if show {
                say("RTO      \(budget.status.rawValue.uppercased()): elapsed \(Terminal.seconds(budget.elapsed)), critical path left ~\(Terminal.seconds(budget.remaining)), RTO \(rto)"
                    + (running.isEmpty ? "" : "; running \(running.joined(separator: ", "))"))
            }
        case .stopping(let reason):
            say("STOPPING \(reason): no new steps; running ones are stopped; then rollbacks")
        case .rollbackStarted(let step):
            say("rollback \(step)")
        case .rollbackFinished(let step, let succeeded, let detail):
            say("rollback \(step) \(succeeded ? "done" : "FAILED: \(detail)")")
        }
    }

    func summary(_ record: PlanRunRecord) {
        var rows = [["STEP", "KIND", "STATE", "ATTEMPTS", "TIME", "DETAIL"]]
        for step in record.steps {
            rows.append([step.id, step.kind, step.state + (step.state == "failed" && step.continueOnError ? " (ignored)" : ""),
                         "\(step.attempts.count)", Terminal.seconds(step.seconds), step.detail ?? step.attempts.last?.detail ?? ""])
        }
        Terminal.line("")
        Terminal.table(rows)
        for rollback in record.rollbacks {
            Terminal.line("rolled back \(rollback.step): \(rollback.succeeded ? "ok" : "FAILED (\(rollback.detail))")")
        }
        let verdict: String
        switch record.outcome {
        case "succeeded":
            verdict = record.rtoMet ? "within the RTO of \(rto)" : "RTO BREACHED: over the RTO of \(rto)"
        default:
            verdict = "RTO not met (the plan did not complete)"
        }
        Terminal.line("")
        Terminal.line("plan \(record.plan) \(record.outcome.uppercased() == "SUCCEEDED" ? "succeeded" : record.outcome.uppercased()) "
            + "in \(Terminal.seconds(record.elapsedSeconds)): \(verdict) (run \(record.id))")
    }

    /// nil for success within the RTO; 4 done but over it; 130 interrupted; 1 otherwise.
    static func exitCode(_ record: PlanRunRecord) -> Int32? {
        switch record.outcome {
        case "succeeded": return record.rtoMet ? nil : ExitStatus.breached
        case "interrupted": return ExitStatus.interrupted
        default: return ExitStatus.failure
        }
    }
}

/// Answers approval steps: `--yes`, or a person at the terminal (one question at a time, within the
/// step's timeout); without a terminal the approval is refused rather than left hanging.
final class TerminalApprover: Sendable {
    private let assumeYes: Bool
    private let interactive: Bool
    private let asking = Mutex(())

    init(assumeYes: Bool, interactive: Bool) {
        self.assumeYes = assumeYes
        self.interactive = interactive
    }

    func answer(_ request: ApprovalRequest) -> ApprovalAnswer {
        if assumeYes { return .approved(by: "with --yes") }
        guard interactive, isatty(STDIN_FILENO) == 1 else {
            return .refused("there is no terminal to ask on; run with --yes to approve in advance")
        }
        return asking.withLock { _ in
            FileHandle.standardError.write(Data("\n? \(request.step): \(request.prompt) [y/N] (answer within \(Terminal.seconds(request.timeout))): ".utf8))
            let end = ContinuousClock.now + .milliseconds(Int64(request.timeout * 1000))
            var typed: [UInt8] = []
            while ContinuousClock.now < end {
                if request.isCancelled() { return .noAnswer("the plan is stopping") }
                var poller = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 200) == 1 else { continue }
                var byte: UInt8 = 0
                guard read(STDIN_FILENO, &byte, 1) == 1 else { return .refused("the terminal closed") }
                if byte == UInt8(ascii: "\n") {
                    let text = String(decoding: typed, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
                    let who = ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.environment["USER"] ?? "uid \(getuid())"
                    return ["y", "yes"].contains(text) ? .approved(by: "at the terminal by \(who)") : .refused("answered \"\(text)\" at the terminal")
                }
                typed.append(byte)
            }
            FileHandle.standardError.write(Data("\n".utf8))
            return .noAnswer("nobody answered within \(Terminal.seconds(request.timeout))")
        }
    }
}

/// Commands that handle SIGINT/SIGTERM themselves (to stop steps and run rollbacks).
protocol HandlesInterrupts {}

/// Routes the first SIGINT/SIGTERM to an action (stop the plan or drill); a second one exits at once.
final class InterruptRelay: @unchecked Sendable {
    private let lock = NSLock()
    private var action: (@Sendable () -> Void)?
    private var signals = 0

    /// What the first signal does; if a signal already came, it runs at once.
    var target: (@Sendable () -> Void)? {
        get { lock.withLock { action } }
        set {
            let fire = lock.withLock { () -> Bool in
                action = newValue
                return signals > 0
            }
            if fire { newValue?() }
        }
    }

    static func during<T>(_ body: (InterruptRelay) -> T) -> T {
        let relay = InterruptRelay()
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { relay.fire() }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        return body(relay)
    }

    private func fire() {
        let (count, action) = lock.withLock { () -> (Int, (@Sendable () -> Void)?) in
            signals += 1
            return (signals, self.action)
        }
        if count >= 2 {
            ScratchRegistry.removeAll()
            Foundation.exit(ExitStatus.interrupted)
        }
        FileHandle.standardError.write(Data("interrupted: stopping (press Ctrl-C again to exit at once, skipping rollbacks and cleanup)\n".utf8))
        action?()
    }
}
