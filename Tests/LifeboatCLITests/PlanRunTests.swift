import Foundation
import Glibc
import Testing

/// `lifeboat plan run` through the binary: scheduling, timeouts, retries, rollbacks, approvals, the
/// RTO budget, interrupts and what is recorded.
@Suite("Plans through the binary")
struct PlanRunTests {
    private func harness(_ name: String = #function) throws -> CLIHarness {
        let h = try CLIHarness(name: name)
        try "a\n".write(toFile: "\(h.source)/a.txt", atomically: false, encoding: .utf8)
        try h.ok("init")
        return h
    }

    private func writePlan(_ h: CLIHarness, _ yaml: String, name: String = "plan.yaml") throws -> String {
        let path = "\(h.root)/\(name)"
        try yaml.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    private func record(_ result: CLIHarness.Result) throws -> [String: Any] {
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "no JSON record in: \(result.output)")
    }

    private func steps(_ record: [String: Any]) -> [String: [String: Any]] {
        let list = record["steps"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: list.map { ($0["id"] as? String ?? "", $0) })
    }

    /// Whether a process still runs (a zombie waiting for a reaper does not).
    private func isRunning(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }

    private func log(_ h: CLIHarness) -> [String] {
        ((try? String(contentsOfFile: "\(h.root)/log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test("steps start as soon as their needs are met, in parallel up to the cap")
    func parallelOrder() throws {
        let h = try harness()
        defer { h.remove() }
        let plan = try writePlan(h, """
        name: order
        rto: 1m
        services: [app]
        steps:
          - { id: first, run: "echo first >> \(h.root)/log" }
          - { id: left, run: "echo left-start >> \(h.root)/log; sleep 1; echo left-end >> \(h.root)/log", needs: [first] }
          - { id: right, run: "echo right-start >> \(h.root)/log; sleep 1; echo right-end >> \(h.root)/log", needs: first }
          - { id: last, run: "echo last >> \(h.root)/log", needs: [left, right] }
        """)
        let result = try h.lifeboat("plan", "run", plan, "--json")
        #expect(result.status == 0, "\(result.output)")
        let lines = log(h)
        #expect(lines.first == "first" && lines.last == "last", "\(lines)")
        // Both branches started before either ended: they ran at the same time.
        let ends = [lines.firstIndex(of: "left-end"), lines.firstIndex(of: "right-end")].compactMap { $0 }
        let starts = [lines.firstIndex(of: "left-start"), lines.firstIndex(of: "right-start")].compactMap { $0 }
        #expect(starts.count == 2 && ends.count == 2 && starts.max()! < ends.min()!, "\(lines)")
        #expect(try record(result)["outcome"] as? String == "succeeded")

        // With --parallel 1 the branches run one after the other.
        try "".write(toFile: "\(h.root)/log", atomically: false, encoding: .utf8)
        #expect(try h.lifeboat("plan", "run", plan, "--parallel", "1").status == 0)
        let serial = log(h)
        let leftEnd = try #require(serial.firstIndex(of: "left-end")), rightStart = try #require(serial.firstIndex(of: "right-start"))
        #expect(leftEnd < rightStart, "\(serial)")
    }

    @Test("a timeout stops the step's whole process group")
    func timeoutKillsGroup() throws {
        let h = try harness()
        defer { h.remove() }
        let plan = try writePlan(h, """
        name: slow
        rto: 1m
        services: [app]
        steps:
          - id: hang
            run: "sleep 300 & echo $! > \(h.root)/child.pid; wait"
            timeout: 1s
        """)
        let clock = ContinuousClock.now
        let result = try h.lifeboat("plan", "run", plan, "--json")
        #expect(result.status == 1, "\(result.output)")
        #expect(ContinuousClock.now - clock < .seconds(20))
        let step = try #require(steps(try record(result))["hang"])
        let attempts = step["attempts"] as? [[String: Any]] ?? []
        #expect(attempts.first?["outcome"] as? String == "timed out", "\(step)")
        let pid = try #require(pid_t(try String(contentsOfFile: "\(h.root)/child.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        usleep(300_000)
        #expect(!isRunning(pid), "the background child \(pid) of the timed-out step still runs")
    }

    @Test("retries back off, and rollbacks of completed steps run newest first when a critical step fails")
    func retriesAndRollbacks() throws {
        let h = try harness()
        defer { h.remove() }
        let plan = try writePlan(h, """
        name: rollbacks
        rto: 1m
        services: [app]
        steps:
          - id: flaky
            run: "n=$(cat \(h.root)/count 2>/dev/null || echo 0); echo $((n+1)) > \(h.root)/count; [ $n -ge 2 ]"
            retries: 3
            retry_delay: 1s
            rollback: "echo undo-flaky >> \(h.root)/log"
          - id: second
            run: "true"
            needs: [flaky]
            rollback: "echo undo-second >> \(h.root)/log"
          - id: no-rollback
            run: "true"
            needs: [flaky]
          - id: breaks
            run: "echo broken >&2; exit 3"
            needs: [second, no-rollback]
            critical: true
          - id: never
            run: "echo never >> \(h.root)/log"
            needs: [breaks]
        """)
        let clock = ContinuousClock.now
        let result = try h.lifeboat("plan", "run", plan, "--json")
        #expect(result.status == 1, "\(result.output)")
        #expect(ContinuousClock.now - clock >= .seconds(3), "backoff of 1 s then 2 s")
        let record = try record(result)
        let all = steps(record)
        #expect((all["flaky"]?["attempts"] as? [[String: Any]])?.count == 3)
        #expect(all["flaky"]?["state"] as? String == "succeeded")
        let breaks = all["breaks"]?["attempts"] as? [[String: Any]]
        #expect(breaks?.first?["exitStatus"] as? Int == 3 && (breaks?.first?["output"] as? String)?.contains("broken") == true)
        #expect(all["never"]?["state"] as? String == "cancelled" || all["never"]?["state"] as? String == "skipped")
        #expect(log(h) == ["undo-second", "undo-flaky"], "rollbacks newest first: \(log(h))")
        #expect((record["rollbacks"] as? [[String: Any]])?.map { $0["step"] as? String } == ["second", "flaky"])
        #expect(record["outcome"] as? String == "failed")
    }

    @Test("continue_on_error lets dependents run; a plain failure skips them and fails the plan without rollbacks")
    func failureSemantics() throws {
        let h = try harness()
        defer { h.remove() }
        let plan = try writePlan(h, """
        name: failures
        rto: 1m
        services: [app]
        steps:
          - { id: ignored, run: "exit 1", continue_on_error: true, rollback: "echo undo >> \(h.root)/log" }
          - { id: after-ignored, run: "echo after-ignored >> \(h.root)/log", needs: [ignored] }
          - { id: plain, run: "exit 1" }
          - { id: after-plain, run: "echo after-plain >> \(h.root)/log", needs: [plain] }
          - { id: independent, run: "sleep 0.3; echo independent >> \(h.root)/log" }
        """)
        let result = try h.lifeboat("plan", "run", plan, "--json")
        #expect(result.status == 1)
        let all = steps(try record(result))
        #expect(all["after-ignored"]?["state"] as? String == "succeeded")
        #expect(all["after-plain"]?["state"] as? String == "skipped")
        #expect(all["independent"]?["state"] as? String == "succeeded")
        #expect(Set(log(h)) == ["after-ignored", "independent"], "\(log(h))")
    }

    @Test("approvals: --yes approves, no terminal refuses, a terminal without an answer times out")
    func approvals() throws {
        let h = try harness()
        defer { h.remove() }
        let plan = try writePlan(h, """
        name: approve
        rto: 1m
        services: [app]
        steps:
          - { id: ask, approval: "Fail over now?", timeout: 2s }
          - { id: after, run: "echo after >> \(h.root)/log", needs: [ask] }
        """)
        let yes = try h.lifeboat("plan", "run", plan, "--yes", "--json")
        #expect(yes.status == 0, "\(yes.output)")
        #expect((steps(try record(yes))["ask"]?["detail"] as? String) == nil)
        #expect(log(h) == ["after"])

        let refused = try h.lifeboat("plan", "run", plan, "--json")
        #expect(refused.status == 1)
        let detail = (steps(try record(refused))["ask"]?["attempts"] as? [[String: Any]])?.first?["detail"] as? String ?? ""
        #expect(detail.contains("--yes"), "\(detail)")

        // On a terminal (a pseudo-terminal from `script`) nobody answers: the approval times out.
        // Its input stays open and silent (at end of input, `script` would close the terminal).
        let command = "'\(CLIHarness.binary)' plan run '\(plan)' --config '\(h.root)/lifeboat.yaml'"
        let clock = ContinuousClock.now
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        script.arguments = ["-qefc", command, "/dev/null"]
        let input = Pipe(), output = Pipe()
        script.standardInput = input
        script.standardOutput = output
        script.standardError = output
        try script.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        script.waitUntilExit()
        try? input.fileHandleForWriting.close()
        #expect(script.terminationStatus == 1, "\(text)")
        #expect(text.contains("Fail over now?") && text.contains("nobody answered"), "\(text)")
        #expect(ContinuousClock.now - clock < .seconds(30))
        #expect(log(h) == ["after"], "the step after a refused approval never ran")
    }

    @Test("the RTO budget goes at risk, then breached; a run over the RTO exits 4")
    func rtoBudget() throws {
        let h = try harness()
        defer { h.remove() }
        let plan = try writePlan(h, """
        name: tight
        rto: 2s
        services: [app]
        steps:
          - { id: slow, run: "sleep 3.5", timeout: 20s }
        """)
        let result = try h.lifeboat("plan", "run", plan)
        #expect(result.status == 4, "\(result.output)")
        #expect(result.stderr.contains("AT RISK"), "\(result.stderr)")
        #expect(result.stderr.contains("BREACHED"), "\(result.stderr)")
        #expect(result.stdout.contains("RTO BREACHED"), "\(result.stdout)")

        // The run is history now: `plan show` estimates the step from it, not from its timeout.
        let shown = try h.ok("plan", "show", plan, "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        let step = try #require((object["steps"] as? [[String: Any]])?.first)
        #expect(step["estimateFrom"] as? String == "history")
        #expect((step["estimateSeconds"] as? Double ?? 0) >= 3.4 && (step["estimateSeconds"] as? Double ?? 99) < 10)
        #expect(object["fitsRTO"] as? Bool == false)
    }

    @Test("Ctrl-C stops running steps, runs rollbacks and records the run as interrupted")
    func interrupted() throws {
        let h = try harness()
        defer { h.remove() }
        let plan = try writePlan(h, """
        name: interrupted
        rto: 1m
        services: [app]
        steps:
          - { id: done, run: "true", rollback: "echo undo-done >> \(h.root)/log" }
          - { id: long, run: "echo $$ > \(h.root)/long.pid; sleep 300", needs: [done] }
          - { id: later, run: "echo later >> \(h.root)/log", needs: [long] }
        """)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIHarness.binary)
        process.arguments = ["plan", "run", plan, "--json", "--config", "\(h.root)/lifeboat.yaml"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while !FileManager.default.fileExists(atPath: "\(h.root)/long.pid") && ContinuousClock.now < deadline { usleep(50_000) }
        usleep(200_000)
        kill(process.processIdentifier, SIGINT)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(record["outcome"] as? String == "interrupted")
        #expect(steps(record)["later"]?["state"] as? String == "cancelled")
        #expect(log(h) == ["undo-done"])
        let pid = try #require(pid_t(try String(contentsOfFile: "\(h.root)/long.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(!isRunning(pid), "the interrupted step's process still runs")
        // Recorded in the catalog and, as an immutable record, in the repository.
        let records = try FileManager.default.contentsOfDirectory(atPath: "\(h.root)/repo/records/plan-runs")
        #expect(records.count == 1)
    }

    @Test("restore and verify steps run lifeboat itself and record the recovery point used")
    func restoreStep() throws {
        let h = try harness()
        defer { h.remove() }
        try h.ok("backup", "app")
        let id = try #require(try h.backupIDs().last)
        let plan = try writePlan(h, """
        name: restore-app
        tier: tier-1-critical
        services: [app]
        vars: { target: null }
        steps:
          - { id: restore, restore: { service: app, target: "{{target}}", mode: empty } }
          - { id: verify, verify: app }
          - { id: check, run: "cmp {{target}}\(h.source)/a.txt \(h.source)/a.txt", needs: [restore] }
        """)
        let missing = try h.lifeboat("plan", "run", plan)
        #expect(missing.status == 2 && missing.stderr.contains("--var target="), "\(missing.output)")
        let result = try h.lifeboat("plan", "run", plan, "--var", "target=\(h.root)/restored", "--json")
        #expect(result.status == 0, "\(result.output)")
        let all = steps(try record(result))
        let point = all["restore"]?["recoveryPoint"] as? [String: Any]
        #expect(point?["backup"] as? String == id && (point?["started"] as? String)?.isEmpty == false, "\(all["restore"] ?? [:])")
        #expect(all["verify"]?["state"] as? String == "succeeded")
        #expect(FileManager.default.fileExists(atPath: "\(h.root)/restored\(h.source)/a.txt"))
    }

    @Test("plan validate reports every graph error with file, line and key path; dry run executes nothing")
    func validateAndDryRun() throws {
        let h = try harness()
        defer { h.remove() }
        let bad = try writePlan(h, """
        name: bad
        rto: 1m
        services: [app]
        steps:
          - { id: a, run: "true", needs: [c] }
          - { id: b, run: "true", needs: [a] }
          - { id: c, run: "true", needs: [b] }
          - { id: d, run: "true", needs: [nope] }
        """, name: "bad.yaml")
        let result = try h.lifeboat("plan", "validate", bad)
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.yaml:") && result.stderr.contains("nope") && result.stderr.contains("->"), "\(result.stderr)")

        let good = try writePlan(h, """
        name: good
        rto: 1m
        services: [app]
        vars: { word: hello }
        steps:
          - { id: a, run: "echo {{word}} >> \(h.root)/log" }
        """, name: "good.yaml")
        #expect(try h.lifeboat("plan", "validate", good).status == 0)
        let dry = try h.ok("plan", "run", good, "--dry-run", "--var", "word=bye")
        #expect(dry.stdout.contains("echo bye"), "\(dry.stdout)")
        #expect(log(h).isEmpty)
    }

    @Test("wait steps probe a TCP port, an HTTP URL and a command until healthy, and time out when never healthy")
    func waitProbes() throws {
        let h = try harness()
        defer { h.remove() }
        let port = Int.random(in: 20000...60000)
        let plan = try writePlan(h, """
        name: probes
        rto: 1m
        services: [app]
        steps:
          - { id: start, run: "mkdir -p \(h.root)/www && echo ok > \(h.root)/www/health && (cd \(h.root)/www && setsid python3 -m http.server \(port) --bind 127.0.0.1 >/dev/null 2>&1 & echo $! > \(h.root)/server.pid)" }
          - { id: tcp, wait: { tcp: "127.0.0.1:\(port)", interval: 1s }, needs: [start], timeout: 20s }
          - { id: http, wait: { http: "http://127.0.0.1:\(port)/health", status: 200 }, needs: [start], timeout: 20s }
          - { id: file, wait: { command: "test -e \(h.root)/www/health" }, needs: [start], timeout: 5s }
          - { id: missing, wait: { http: "http://127.0.0.1:\(port)/missing", interval: 1s }, needs: [http], timeout: 2s, continue_on_error: true }
        """)
        let result = try h.lifeboat("plan", "run", plan, "--json")
        if let pid = try? String(contentsOfFile: "\(h.root)/server.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) {
            kill(pid_t(pid) ?? 0, SIGTERM)
        }
        #expect(result.status == 0, "\(result.output)")
        let all = steps(try record(result))
        for id in ["tcp", "http", "file"] {
            #expect(all[id]?["state"] as? String == "succeeded", "\(id): \(all[id] ?? [:])")
        }
        let missing = (all["missing"]?["attempts"] as? [[String: Any]])?.first
        #expect(missing?["outcome"] as? String == "timed out")
        #expect((missing?["detail"] as? String)?.contains("HTTP 404") == true, "\(missing ?? [:])")
    }
}

