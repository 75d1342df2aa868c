import Foundation
import Glibc
import Synchronization

/// One run of a drill: prepare the isolated target, inject the disaster, run the plan against the
/// target, judge the success checks, and always clean up. `interrupt()` (Ctrl-C) stops it at once; the
/// cleanup still runs.
public final class DrillRun: Sendable {
    public let drill: Drill
    let plan: Plan
    let workspace: Workspace
    let context: PlanContext
    private let onEvent: @Sendable (PlanEvent) -> Void
    private let onPhase: @Sendable (String) -> Void
    private let control = Mutex(Control())

    struct Control {
        var interrupted = false
        var executor: PlanExecutor?
        var process: GroupProcess?
        /// The process groups of the commands this drill started (setup, inject commands): a `stop:`
        /// injection may signal their processes.
        var groups: Set<pid_t> = []
    }

    /// Cleanup (teardown) may take this long, on top of `max_duration`.
    static let teardownTimeout = 120.0

    /// `plan` is the drill's plan as loaded (unresolved); `context` carries the lifeboat program and the
    /// configuration for the plan's restore and verify steps.
    public init(drill: Drill, plan: Plan, workspace: Workspace, context: PlanContext,
                onPhase: @escaping @Sendable (String) -> Void = { _ in }, onEvent: @escaping @Sendable (PlanEvent) -> Void = { _ in }) {
        self.drill = drill
        self.plan = plan
        self.workspace = workspace
        self.context = context
        self.onPhase = onPhase
        self.onEvent = onEvent
    }

    public func interrupt() {
        let (executor, process) = control.withLock { control in
            control.interrupted = true
            return (control.executor, control.process)
        }
        executor?.interrupt()
        process?.stop()
    }

    private var interrupted: Bool { control.withLock { $0.interrupted } }

    /// Runs the drill and records its result (catalog and repository); never throws: what went wrong is
    /// in the record's `problems`. `recordError` says when the record itself could not be written.
    public func run() -> (record: DrillRecord, recordError: LifeboatError?) {
        let startedAt = Date()
        let clock = ContinuousClock.now
        let deadline = clock + .seconds(drill.maxDuration.seconds)
        var phases: [DrillRecord.Phase] = []
        var problems: [String] = []
        var checks: [VerificationRecord.Check] = []
        var disasterAt: Date?
        var planRun: PlanRunRecord?
        var recoveredAt: ContinuousClock.Instant?
        var disasterClock: ContinuousClock.Instant?
        var target: String?
        var scratch: String?

        /// Runs one phase and records it; only `cleanup` runs after an interrupt or past `max_duration`.
        func phase(_ name: String, always: Bool = false, _ body: () throws -> String) -> Bool {
            onPhase(name)
            let started = ContinuousClock.now
            do {
                if interrupted && !always { throw LifeboatError(.interrupted, "interrupted before \(name)") }
                if ContinuousClock.now >= deadline && !always {
                    throw LifeboatError(.io, "max_duration \(drill.maxDuration) ran out before \(name)")
                }
                let detail = try body()
                phases.append(.init(name: name, seconds: (ContinuousClock.now - started).inSeconds, succeeded: true, detail: detail))
                return true
            } catch {
                let message = (error as? LifeboatError)?.message ?? "\(error)"
                phases.append(.init(name: name, seconds: (ContinuousClock.now - started).inSeconds, succeeded: false, detail: message))
                problems.append("\(name): \(message)")
                return false
            }
        }

        let targets = self.targets()
        var ok = phase("prepare") {
            try requireTargetVariable()
            let (path, made, detail) = try prepareTarget()
            target = path
            scratch = made
            return detail
        }
        if ok, let setup = drill.target.setup, let target {
            ok = phase("setup") { try command(setup, target: target, deadline: deadline, what: "setup") }
        }
        if ok, let target {
            disasterAt = Date()
            disasterClock = .now
            ok = phase("inject") { try inject(into: target, deadline: deadline) }
        }
        if ok, let target {
            ok = phase("plan") {
                let run = try runPlan(target: target, deadline: deadline)
                planRun = run
                guard run.succeeded else {
                    let failed = run.steps.filter { $0.state == "failed" }.map { "\($0.id): \($0.detail ?? "failed")" }
                    throw LifeboatError(.io, "plan \(run.outcome)\(failed.isEmpty ? "" : ": " + failed.joined(separator: "; "))")
                }
                return "plan run \(run.id) succeeded in \(String(format: "%.1f", run.elapsedSeconds))s"
            }
        }
        if ok, let target {
            ok = phase("checks") {
                checks = drill.success.checks.map { check($0, target: target, deadline: deadline) }
                let failed = checks.filter { !$0.passed }
                guard failed.isEmpty else { throw LifeboatError(.io, "failed: " + failed.map(\.name).joined(separator: ", ")) }
                recoveredAt = .now
                return "\(checks.count) check\(checks.count == 1 ? "" : "s") passed"
            }
        }
        _ = phase("cleanup", always: true) { try cleanup(target: target, scratch: scratch) }

        let rtoAchieved: Double? = if let disasterClock, let recoveredAt { (recoveredAt - disasterClock).inSeconds } else { nil }
        let points = newestPoints(planRun?.recoveryPoints ?? [])
        let oldestPoint = points.compactMap { Timestamp.parse($0.started) }.min()
        let rpoAchieved: Double? = if let disasterAt, let oldestPoint { disasterAt.timeIntervalSince(oldestPoint) } else { nil }
        if ok && points.isEmpty { problems.append("no restore step ran, so no RPO was measured; a drill's plan must restore") }
        if let rtoAchieved, rtoAchieved > targets.rto {
            problems.append("RTO achieved \(ReportText.duration(rtoAchieved)) is over the target \(ReportText.duration(targets.rto))")
        }
        if let rpoAchieved, rpoAchieved > targets.rpo {
            problems.append("RPO achieved \(ReportText.duration(rpoAchieved)) is over the target \(ReportText.duration(targets.rpo))")
        }
        let outcome: String
        if interrupted || planRun?.outcome == "interrupted" { outcome = "interrupted" }
        else if !ok || recoveredAt == nil || points.isEmpty { outcome = "failed" }
        else if problems.isEmpty { outcome = "passed" }
        else { outcome = "breached" }
        let record = DrillRecord(id: BackupID.make(at: startedAt), drill: drill.name, file: drill.file, plan: plan.name,
                                 host: ProcessInfo.processInfo.hostName, services: plan.services, started: Timestamp.format(startedAt),
                                 disasterAt: disasterAt.map(Timestamp.format), finished: Timestamp.format(Date()), outcome: outcome,
                                 rtoAchievedSeconds: rtoAchieved, rtoTargetSeconds: targets.rto, rpoAchievedSeconds: rpoAchieved,
                                 rpoTargetSeconds: targets.rpo, recoveryPoints: points, planRun: planRun?.id, phases: phases,
                                 checks: checks, problems: problems)
        return (record, save(record))
    }

    /// RTO from the drill, else the plan; RPO from the drill, else the strictest tier of the plan's
    /// services (each service's own tier: a tier-2 database recovered by a plan written for tier-1 is
    /// held to tier-2's RPO), else the plan's tier.
    func targets() -> (rto: Double, rpo: Double) {
        let rto = drill.success.rto ?? plan.rto
        let tierRPOs = plan.services.compactMap { name in
            (try? workspace.config.service(named: name)).flatMap { try? workspace.config.tier(for: $0) }?.rpo
        }
        let planTier = plan.tier.flatMap { try? workspace.config.tier(named: $0) }?.rpo
        let rpo = drill.success.rpo ?? tierRPOs.min() ?? planTier ?? .hours(24)
        return (Double(rto.seconds), Double(rpo.seconds))
    }

    /// For each service, the newest backup its restores used.
    private func newestPoints(_ points: [PlanRunRecord.RecoveryPoint]) -> [PlanRunRecord.RecoveryPoint] {
        Dictionary(grouping: points, by: \.service).values.compactMap { $0.max { $0.started < $1.started } }.sorted { $0.service < $1.service }
    }

    private func prepareTarget() throws -> (path: String, scratch: String?, detail: String) {
        switch drill.target.origin {
        case .prepared(let path):
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
                throw LifeboatError(.usage, "the drill's target \(path) is not a folder; prepare it first or use `from: backups`")
            }
            return (path, nil, "prepared environment \(path)")
        case .backups:
            let folder = try makeScratchFolder(prefix: "lifeboat-drill")
            do {
                var restored: [String] = []
                for name in plan.services {
                    let service = try workspace.config.service(named: name)
                    guard workspace.repository.listing(service: name).records.last != nil else {
                        throw LifeboatError(.usage, "service \(name) has no backup to build the drill target from; run `lifeboat backup \(name)` first")
                    }
                    let request = workspace.restoreRequest(for: service, selector: .latest, target: folder, mode: .force)
                    let result = try RestoreEngine(repository: workspace.repository).restore(request)
                    restored.append("\(name) \(result.record.id)")
                }
                return (folder, folder, "restored \(restored.joined(separator: ", ")) into \(folder)")
            } catch {
                removeScratchFolder(folder)
                throw error
            }
        }
    }

    private func inject(into target: String, deadline: ContinuousClock.Instant) throws -> String {
        var done: [String] = []
        for injection in drill.inject {
            switch injection {
            case .delete(let path):
                let full = try DrillPaths.confined(path, in: target)
                var info = stat()
                guard lstat(full, &info) == 0 else { throw LifeboatError(.usage, "nothing to delete at \(path) in the target; check the drill's inject paths") }
                try DrillPaths.requireOneFilesystem(full, written: path, target: target)
                try removeTree(Array(full.utf8))
                done.append("deleted \(path)")
            case .corrupt(let path, let bytes):
                let full = try DrillPaths.confined(path, in: target)
                try DrillPaths.corrupt(full, bytes: bytes)
                done.append("corrupted \(bytes) bytes of \(path)")
            case .stop(let pidFile, let signal):
                let full = try DrillPaths.confined(pidFile, in: target)
                let groups = control.withLock { $0.groups }
                done.append(try DrillSignal.stop(pidFile: pidFile, at: full, signal: signal, target: target, groups: groups))
            case .command(let spec):
                done.append(try command(spec, target: target, deadline: deadline, what: "inject command"))
            }
        }
        return done.joined(separator: "; ")
    }

    /// A plan without a `target` placeholder would act on production paths: a drill refuses it.
    private func requireTargetVariable() throws {
        guard plan.variables.keys.contains("target") else {
            throw LifeboatError(.configuration, "plan \(plan.name) takes no {{target}}, so the drill would run it against production; "
                + "declare `vars: {target: /}` in the plan and restore to \"{{target}}\"")
        }
    }

    private func runPlan(target: String, deadline: ContinuousClock.Instant) throws -> PlanRunRecord {
        let resolved = try plan.resolved(with: drill.variables.merging(["target": target]) { $1 })
        for step in resolved.steps {
            if case .restore(let restore) = step.action, !DrillPaths.isInside(restore.target, target) {
                throw LifeboatError(.configuration, "step \(step.id) restores to \(restore.target), outside the drill target \(target); "
                    + "restore to \"{{target}}\" (or a folder under it)")
            }
        }
        var context = self.context
        context.deadline = deadline
        context.drill = drill.name
        context.environment["LIFEBOAT_TARGET"] = target
        let answers = drill.approvals
        let approver: PlanExecutor.Approver = { request in
            switch answers[request.step] {
            case true?: return .approved(by: "by the drill")
            case false?: return .refused("the drill answers no")
            case nil: return .refused("the drill gives no answer for approval \(request.step); add it under `approvals:`")
            }
        }
        let (record, recordError) = workspace.run(plan: resolved, context: context, approver: approver, onEvent: onEvent) { executor in
            let stop = control.withLock { control -> Bool in
                control.executor = executor
                return control.interrupted
            }
            if stop { executor.interrupt() }
        }
        control.withLock { $0.executor = nil }
        if let recordError { throw recordError }
        return record
    }

    private func check(_ spec: CheckSpec, target: String, deadline: ContinuousClock.Instant) -> VerificationRecord.Check {
        let clock = ContinuousClock.now
        guard case .command(let line) = spec.kind else {
            return .init(name: spec.name, kind: "sql", passed: false, seconds: 0, output: "drill checks are commands")
        }
        let limit = min(Double(spec.timeout.seconds), max(1, (deadline - .now).inSeconds))
        do {
            let process = try GroupProcess(argv: ["/bin/bash", "-c", line], environment: environment(target: target, extra: [:]), workdir: target)
            let result = wait(for: process, timeout: limit, stoppable: true)
            var output = result.output
            if result.timedOut { output += "\n[stopped after \(Int(limit))s]" } else if !result.ending.succeeded { output += "\n[\(result.ending.description)]" }
            return .init(name: spec.name, kind: "command", passed: result.succeeded, seconds: (ContinuousClock.now - clock).inSeconds,
                         output: CheckRunner.bounded(output))
        } catch {
            return .init(name: spec.name, kind: "command", passed: false, seconds: 0, output: "\(error)")
        }
    }

    /// Runs setup, teardown or an inject command with `LIFEBOAT_TARGET`; throws when it fails.
    private func command(_ spec: CommandSpec, target: String, deadline: ContinuousClock.Instant?, what: String) throws -> String {
        let limit = deadline.map { max(1, ($0 - .now).inSeconds) } ?? Self.teardownTimeout
        let process = try GroupProcess(argv: spec.argv, environment: environment(target: target, extra: spec.environment),
                                       workdir: spec.workdir ?? target)
        let result = wait(for: process, timeout: limit, stoppable: deadline != nil)
        guard result.succeeded else {
            let tail = result.output.split(separator: "\n").suffix(3).joined(separator: " | ")
            throw LifeboatError(.io, "\(what) `\(spec.display)` \(result.timedOut ? "timed out" : result.ending.description)\(tail.isEmpty ? "" : ": \(tail)")")
        }
        return "\(what) `\(spec.display)` succeeded"
    }

    /// Waits for a command the drill runs itself, where `interrupt()` reaches it. A command that is not
    /// `stoppable` (teardown) is not stopped by an interrupt that came before it started.
    private func wait(for process: GroupProcess, timeout: Double, stoppable: Bool) -> GroupProcess.Result {
        let stop = control.withLock { control -> Bool in
            control.process = process
            control.groups.insert(process.pid)
            return control.interrupted && stoppable
        }
        if stop { process.stop() }
        let result = process.wait(timeout: timeout)
        control.withLock { $0.process = nil }
        return result
    }

    /// Teardown (even after failures), then the scratch target is removed.
    private func cleanup(target: String?, scratch: String?) throws -> String {
        var notes: [String] = []
        var failure: String?
        if let teardown = drill.target.teardown, let target {
            do { notes.append(try command(teardown, target: target, deadline: nil, what: "teardown")) } catch { failure = "\(error)" }
        }
        if let scratch {
            removeScratchFolder(scratch)
            notes.append("removed \(scratch)")
        }
        if let failure { throw LifeboatError(.io, failure + (notes.isEmpty ? "" : "; " + notes.joined(separator: "; "))) }
        return notes.isEmpty ? "nothing to clean up" : notes.joined(separator: "; ")
    }

    private func environment(target: String, extra: [String: String]) -> [String: String] {
        GroupProcess.environment(context.environment, ["LIFEBOAT_TARGET": target, "LIFEBOAT_DRILL": drill.name,
                                                       "LIFEBOAT_DRILL_DIR": ConfigPath.absoluteDirectory(of: drill.file)], extra)
    }

    private func save(_ record: DrillRecord) -> LifeboatError? {
        do {
            try workspace.repository.write(drill: record)
            try workspace.catalog.record(drill: record)
            let outcome = record.outcome == "passed" ? "success" : record.outcome == "interrupted" ? "interrupted" : "failed"
            try workspace.catalog.recordJob(JobRun(kind: "drill", started: record.started, finished: record.finished, outcome: outcome,
                                                   error: record.problems.first, details: ["drill": record.drill, "id": record.id]))
            return nil
        } catch let error as LifeboatError {
            return error
        } catch {
            return LifeboatError(.io, "the drill could not be recorded: \(error)", cause: error)
        }
    }
}

/// Keeping a drill's disaster inside its target.
enum DrillPaths {
    /// `target/path` (an absolute path names the same path inside the target), refused when it climbs
    /// with `..`, names the target itself, or passes through a symlink that leads out of the target.
    static func confined(_ relative: String, in target: String) throws -> String {
        let parts = ConfigPath.components(of: relative).filter { $0 != "." }
        guard !parts.isEmpty, !parts.contains("..") else {
            throw LifeboatError(.configuration, "inject path \(relative) must name something inside the drill target, without ..")
        }
        let full = target + "/" + parts.joined(separator: "/")
        let parent = (full as NSString).deletingLastPathComponent
        guard let realTarget = realPath(target), let realParent = realPath(parent), isInside(realParent, realTarget) else {
            throw LifeboatError(.usage, "inject path \(relative) does not lead to a place inside the drill target \(target)")
        }
        return full
    }

    static func isInside(_ path: String, _ root: String) -> Bool {
        let root = root.hasSuffix("/") ? String(root.dropLast()) : root
        return path == root || path.hasPrefix(root + "/") || root.isEmpty
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Refuses a delete whose tree holds a mount point (a bind mount of production into a prepared
    /// target, say): removing below it would delete what is mounted there.
    static func requireOneFilesystem(_ path: String, written: String, target: String) throws {
        var info = stat()
        guard stat(target, &info) == 0 else { return }
        let device = info.st_dev
        var paths = [path]
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            paths += (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? []).map { path + "/" + $0 }
        }
        for item in paths where lstat(item, &info) == 0 && info.st_dev != device {
            throw LifeboatError(.usage, "refused to delete \(written): \(item) is on another filesystem than the drill target "
                + "(a mount point), and deleting it could reach what is mounted there; unmount it or delete a path below it")
        }
    }

    /// Overwrites `bytes` bytes in the middle of a regular file with random bytes, keeping its size.
    static func corrupt(_ path: String, bytes: Int) throws {
        let descriptor = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw LifeboatError(.usage, "cannot open \(path) to corrupt it: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0 else {
            throw LifeboatError(.usage, "\(path) is not a non-empty regular file, so it cannot be corrupted")
        }
        guard info.st_nlink == 1 else {
            throw LifeboatError(.usage, "\(path) has \(info.st_nlink) hard links, and another one may be outside the drill target "
                + "(production); corrupt a file with one link only (copy it into the target instead of linking it)")
        }
        let count = min(bytes, Int(info.st_size))
        let offset = (Int(info.st_size) - count) / 2
        let garbage = (0..<count).map { _ in UInt8.random(in: 0...255) }
        guard pwrite(descriptor, garbage, count, off_t(offset)) == count, fsync(descriptor) == 0 else {
            throw LifeboatError(.io, "cannot write into \(path): \(String(cString: strerror(errno)))")
        }
    }
}
