import Foundation

/// One attempt of one step: runs its action within the step's timeout and says how it went.
struct StepAttempt {
    struct Outcome {
        /// `succeeded`, `failed`, `timed out` or `stopped`.
        var outcome: String
        var exitStatus: Int32?
        var detail: String
        var output: String
        var seconds: Double
        var recoveryPoint: PlanRunRecord.RecoveryPoint?
        /// Standard output alone, for `lifeboat … --json` steps.
        var stdout = ""
    }

    let executor: PlanExecutor
    let step: PlanStep

    var timeout: Double { Double(step.effectiveTimeout.seconds) }

    func perform() -> Outcome {
        let clock = ContinuousClock.now
        var outcome: Outcome
        switch step.action {
        case .run(let command):
            outcome = run(command.argv, extra: command.environment, workdir: command.workdir)
        case .restore(let restore):
            outcome = restoreStep(restore)
        case .verify(let verify):
            var arguments = ["verify", verify.service]
            if let backup = verify.backup { arguments += ["--backup", backup] }
            outcome = lifeboat(arguments + ["--json"])
        case .wait(let probe, let interval):
            outcome = wait(probe, interval: Double(interval.seconds))
        case .approval(let prompt):
            outcome = approve(prompt)
        }
        outcome.seconds = (ContinuousClock.now - clock).inSeconds
        return outcome
    }

    /// Runs a command in its own process group until it ends, its timeout passes, or the plan stops.
    private func run(_ argv: [String], extra: [String: String] = [:], workdir: String? = nil, separateStdout: Bool = false,
                     timeout: Double? = nil) -> Outcome {
        let limit = timeout ?? self.timeout
        let process: GroupProcess
        do {
            process = try GroupProcess(argv: argv, environment: executor.environment(for: step, extra: extra), workdir: workdir,
                                       stdout: separateStdout ? .separate : .combined, grace: executor.context.grace)
        } catch {
            return Outcome(outcome: "failed", detail: "\(error)", output: "", seconds: 0)
        }
        if !executor.track(process, for: step.id) { process.stop() }
        let result = process.wait(timeout: limit)
        _ = executor.track(nil, for: step.id)
        let exitStatus: Int32? = if case .exited(let status) = result.ending { status } else { nil }
        var outcome = Outcome(outcome: "succeeded", exitStatus: exitStatus, detail: result.ending.description,
                              output: result.output, seconds: result.seconds, stdout: result.stdout)
        if result.timedOut {
            outcome.outcome = "timed out"
            outcome.detail = "stopped after its timeout of \(LifeboatDuration(seconds: Int64(limit.rounded())))"
        } else if result.stopped {
            outcome.outcome = "stopped"
            outcome.detail = "stopped because the plan is stopping"
        } else if !result.ending.succeeded {
            outcome.outcome = "failed"
        }
        if separateStdout {
            outcome.output = String(result.stdout.suffix(GroupProcess.outputLimit)) + (result.output.isEmpty ? "" : "\n" + result.output)
        }
        return outcome
    }

    /// What a `lifeboat` child needs from this process's environment to reach and open the repository.
    static let repositoryVariables: Set<String> = [
        PassphraseSource.environmentVariable, "LIFEBOAT_PASSPHRASE_FILE", "LIFEBOAT_KEY_FILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
        "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_DEFAULT_REGION", "TMPDIR",
    ]

    /// `lifeboat ARGUMENTS` as its own process (so timeouts and interrupts stop it like any command).
    private func lifeboat(_ arguments: [String]) -> Outcome {
        guard let program = executor.context.lifeboatExecutable else {
            return Outcome(outcome: "failed", detail: "\(step.action.kind) steps need the lifeboat program, which this run was not given",
                           output: "", seconds: 0)
        }
        // The child reads the same repository: it needs what this process used to reach and open it
        // (S3 settings and credentials, the passphrase), passed by environment, never by argument.
        let own = ProcessInfo.processInfo.environment
        let reach = own.filter { Self.repositoryVariables.contains($0.key) }
        var outcome = run([program] + arguments + ["--config", executor.context.configPath], extra: reach, separateStdout: true)
        if outcome.outcome == "failed", let last = outcome.output.split(separator: "\n").last(where: { $0.hasPrefix("error:") }) {
            outcome.detail = String(last)
        }
        return outcome
    }

    private func restoreStep(_ restore: RestoreStep) -> Outcome {
        var arguments = ["restore", restore.service, "--target", restore.target, "--json"]
        switch restore.mode {
        case .force: arguments.append("--force")
        case .exact: arguments.append("--exact")
        case .empty: break
        }
        switch restore.point {
        case .latest: break
        case .id(let id): arguments += ["--backup", id]
        case .at(let date): arguments += ["--at", Timestamp.format(date)]
        }
        var outcome = lifeboat(arguments)
        guard outcome.outcome == "succeeded" else { return outcome }
        // The restore prints one JSON object (first on stdout): which backup it used, and when that was made.
        struct Summary: Decodable {
            let backup: String
            let backupStarted: String?
            let backupFinished: String?
            let files: Int?
        }
        if let summary = try? JSONDecoder().decode(Summary.self, from: Data(outcome.stdout.utf8)) {
            outcome.recoveryPoint = PlanRunRecord.RecoveryPoint(service: restore.service, backup: summary.backup,
                                                                started: summary.backupStarted ?? "", finished: summary.backupFinished ?? "")
            outcome.detail = "restored backup \(summary.backup)\(summary.files.map { " (\($0) files)" } ?? "")"
        }
        return outcome
    }

    /// Probes until healthy: every `interval`, each probe bounded by what is left of the timeout.
    private func wait(_ probe: Probe, interval: Double) -> Outcome {
        let end = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        var tries = 0
        var last = Outcome(outcome: "failed", detail: "not probed", output: "", seconds: 0)
        while true {
            tries += 1
            let left = (end - .now).inSeconds
            switch probe {
            case .command(let command):
                last = run(command.argv, extra: command.environment, workdir: command.workdir, timeout: max(0.1, min(left, 60)))
            case .tcp(let host, let port):
                let error = Probes.tcp(host: host, port: port, timeout: max(0.1, min(left, 5)))
                last = Outcome(outcome: error == nil ? "succeeded" : "failed", detail: error ?? "connected to \(host):\(port)", output: "", seconds: 0)
            case .http(let url, let status):
                let (ok, detail) = Probes.http(url: url, expect: status, timeout: max(0.1, min(left, 10)))
                last = Outcome(outcome: ok ? "succeeded" : "failed", detail: detail, output: "", seconds: 0)
            }
            if last.outcome == "succeeded" {
                last.detail = "healthy after \(tries) probe\(tries == 1 ? "" : "s"): \(last.detail)"
                return last
            }
            if executor.isStopping { return Outcome(outcome: "stopped", detail: "stopped because the plan is stopping", output: last.output, seconds: 0) }
            if ContinuousClock.now + .milliseconds(Int64(interval * 1000)) >= end {
                executor.sleep(seconds: max(0, (end - .now).inSeconds))
                return Outcome(outcome: "timed out", exitStatus: last.exitStatus,
                               detail: "not healthy within \(step.effectiveTimeout) (\(tries) probes; last: \(last.detail))",
                               output: last.output, seconds: 0)
            }
            executor.sleep(seconds: interval)
        }
    }

    private func approve(_ prompt: String) -> Outcome {
        let executor = self.executor
        let answer = executor.approver(ApprovalRequest(step: step.id, prompt: prompt, timeout: timeout,
                                                       isCancelled: { executor.isStopping }))
        switch answer {
        case .approved(let by): return Outcome(outcome: "succeeded", detail: "approved \(by)", output: "", seconds: 0)
        case .refused(let why): return Outcome(outcome: "failed", detail: "refused: \(why)", output: "", seconds: 0)
        case .noAnswer(let why): return Outcome(outcome: executor.isStopping ? "stopped" : "timed out", detail: "no answer: \(why)", output: "", seconds: 0)
        }
    }
}
