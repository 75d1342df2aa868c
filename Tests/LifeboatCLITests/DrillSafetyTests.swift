import Foundation
import Glibc
import Testing

/// "Production is never touched": a drill's `stop:` signals only processes the drill started or that
/// run inside its target, even when the pidfile restored into the target names a production process.
@Suite("Drills never signal production", .serialized)
struct DrillSafetyTests {
    private func harness(inject: String, setup: String? = nil, name: String = #function) throws -> CLIHarness {
        let h = try CLIHarness(name: name)
        try FileManager.default.createDirectory(atPath: "\(h.root)/Plans", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(h.root)/Drills", withIntermediateDirectories: true)
        try """
        name: app-recovery
        tier: tier-1-critical
        services: [app]
        vars: { target: / }
        steps:
          - id: restore
            restore: { service: app, target: "{{target}}", mode: force }
        """.write(toFile: "\(h.root)/Plans/app.yaml", atomically: false, encoding: .utf8)
        try """
        name: app-stopped
        plan: ../Plans/app.yaml
        target:
          from: backups
        \(setup.map { "  setup: '\($0)'" } ?? "")
        inject:
          - \(inject)
        """.write(toFile: "\(h.root)/Drills/stop.yaml", atomically: false, encoding: .utf8)
        return h
    }

    private func isRunning(_ pid: pid_t) -> Bool { ProcessIdentityProbe.running(pid) }

    private func record(_ result: CLIHarness.Result) throws -> [String: Any] {
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(result.output)")
    }

    @Test("a pidfile restored into the target names a process outside it: the drill refuses to signal it, and it lives on")
    func productionPidRefused() throws {
        let h = try harness(inject: "{ stop: \"{{app.path}}/run/app.pid\", signal: KILL }")
        defer { h.remove() }
        let production = Process()
        production.executableURL = URL(fileURLWithPath: "/bin/sleep")
        production.arguments = ["300"]
        production.currentDirectoryURL = URL(fileURLWithPath: h.root)
        production.standardOutput = FileHandle.nullDevice
        production.standardError = FileHandle.nullDevice
        try production.run()
        let pid = production.processIdentifier
        defer {
            kill(pid, SIGKILL)
            production.waitUntilExit()
        }
        try FileManager.default.createDirectory(atPath: "\(h.source)/run", withIntermediateDirectories: true)
        try "\(pid)\n".write(toFile: "\(h.source)/run/app.pid", atomically: false, encoding: .utf8)
        try h.ok("init")
        try h.ok("backup", "app")

        let result = try h.lifeboat("drill", "run", "\(h.root)/Drills/stop.yaml", "--json")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(isRunning(pid), "the drill killed a production process")
        #expect(result.status != 0, "\(result.output)")
        let problems = (try record(result)["problems"] as? [String] ?? []).joined(separator: "\n")
        #expect(problems.contains("refused to signal process \(pid)") && problems.contains("may be a production process")
                && problems.contains("target.setup"), "\(problems)")
    }

    @Test("a process the drill's setup started is signalled")
    func setupProcessStopped() throws {
        let h = try harness(inject: "{ stop: app.pid, signal: KILL }",
                            setup: #"sleep 300 >/dev/null 2>&1 & echo $! > "$LIFEBOAT_TARGET/app.pid""#)
        defer { h.remove() }
        try "a\n".write(toFile: "\(h.source)/a.txt", atomically: false, encoding: .utf8)
        try h.ok("init")
        try h.ok("backup", "app")
        let result = try h.lifeboat("drill", "run", "\(h.root)/Drills/stop.yaml", "--json")
        let phases = try record(result)["phases"] as? [[String: Any]] ?? []
        let inject = try #require(phases.first { $0["name"] as? String == "inject" }, "\(result.output)")
        let detail = inject["detail"] as? String ?? ""
        #expect(inject["succeeded"] as? Bool == true && detail.contains("(started by the drill)"), "\(detail)")
        let pid = try #require(detail.split(separator: " ").compactMap { pid_t($0) }.first, "\(detail)")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(!isRunning(pid), "the setup's process was not stopped")
    }
}

/// Whether a process runs (a zombie waiting for its parent does not count).
enum ProcessIdentityProbe {
    static func running(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }
}
