import Foundation
import Testing

/// Hostile `--var` values and configured paths through the binary: a plan's shell lines print them,
/// and nothing in them runs.
@Suite("Plan variables never run as code")
struct PlanInjectionTests {
    /// Each would create `PWNED` in the test folder if pasted into the shell line as it is.
    static let hostile = [
        "10.0.0.7; touch PWNED", "$(touch PWNED)", "`touch PWNED`", "x'; touch PWNED; echo '", "x\"; touch PWNED; echo \"",
        "10.0.0.7\ntouch PWNED", "a && touch PWNED", "a|touch PWNED", "${IFS}$(touch${IFS}PWNED)",
    ]

    private func plan(in h: CLIHarness) throws -> String {
        let path = "\(h.root)/switch.yaml"
        try """
        name: switch
        rto: 1m
        services: [app]
        vars: { standby: 10.0.0.1 }
        steps:
          - id: plain
            run: "echo switching to {{standby}}"
          - id: double
            run: echo "switching to {{standby}}"
          - id: single
            run: echo 'switching to {{standby}}'
          - id: substituted
            run: echo "$(echo {{standby}})"
          - id: environment
            run: 'echo "from env $STANDBY"'
            env: { STANDBY: "{{standby}}" }
          - id: listed
            run: [sh, -c, "echo listed {{standby}}"]
          - id: config-path
            run: "echo path {{app.path}}"
        """.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    /// The output of each step's last attempt, by step id, from the run's JSON record.
    private func outputs(_ result: CLIHarness.Result) throws -> [String: String] {
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(result.output)")
        let steps = record["steps"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: steps.map { step in
            (step["id"] as? String ?? "", ((step["attempts"] as? [[String: Any]])?.last?["output"] as? String) ?? "")
        })
    }

    @Test("every hostile --var value is printed as written by every step, and PWNED is never created")
    func hostileVars() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try h.ok("init")
        let plan = try plan(in: h)
        for value in Self.hostile {
            let result = try h.lifeboat("plan", "run", plan, "--var", "standby=\(value)", "--json")
            #expect(result.status == 0, "\(value.debugDescription): \(result.output)")
            #expect(!FileManager.default.fileExists(atPath: "\(h.root)/PWNED"), "\(value.debugDescription) ran a command")
            let outputs = try outputs(result)
            for (id, prefix) in [("plain", "switching to "), ("double", "switching to "), ("single", "switching to "),
                                 ("substituted", ""), ("environment", "from env "), ("listed", "listed ")] {
                #expect(outputs[id] == prefix + value + "\n", "step \(id) with \(value.debugDescription): \(outputs[id] ?? "no output")")
            }
        }
    }

    @Test("a configured path with shell characters reaches the step as one literal word")
    func hostileConfigPath() throws {
        let h = try CLIHarness(config: CLIHarness.config(services: """
          app:
            source: { type: files, paths: ["./srv/a;touch PWNED;$(touch PWNED)"] }
        """))
        defer { h.remove() }
        try FileManager.default.createDirectory(atPath: "\(h.root)/srv/a;touch PWNED;$(touch PWNED)", withIntermediateDirectories: true)
        try h.ok("init")
        let result = try h.lifeboat("plan", "run", try plan(in: h), "--json")
        #expect(result.status == 0, "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(h.root)/PWNED"), "the configured path ran a command")
        #expect(try outputs(result)["config-path"] == "path \(h.root)/srv/a;touch PWNED;$(touch PWNED)\n", "\(result.stdout)")
    }
}
