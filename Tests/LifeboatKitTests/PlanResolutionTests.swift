import LifeboatKit
import Testing

@Suite("Plan placeholders are resolved from --var values and defaults")
struct PlanResolutionTests {
    static let yaml = planYAML("""
          - id: stop
            run: "ssh {{host}} systemctl stop app"
            env: {TARGET: "{{target}}"}
            workdir: "{{target}}/srv"
            rollback: [ssh, "{{ host }}", systemctl, start, app]
          - id: restore
            restore: {service: files, backup: "{{target}}", target: "{{target}}/files"}
          - id: up
            wait: {http: "http://{{host}}:8080/", status: 200}
          - id: db-up
            wait: {tcp: "{{host}}:5432"}
          - id: ok
            approval: "Is {{host}} serving?"

        """)

    func plan() throws -> Plan { try Plan.parse(yaml: Self.yaml, file: planFile, config: planConfig) }

    @Test("values override defaults, and every string of every step is filled in")
    func override() throws {
        let plan = try plan()
        #expect(plan.steps[0].action.command?.argv == ["/bin/bash", "-c", "ssh {{host}} systemctl stop app"])

        let resolved = try plan.resolved(with: ["host": "standby.example", "target": "/mnt/dr"])
        #expect(resolved.variables == ["host": "standby.example", "target": "/mnt/dr"])
        #expect(resolved.steps[0].action.command == CommandSpec(
            argv: ["/bin/bash", "-c", "ssh standby.example systemctl stop app"], environment: ["TARGET": "/mnt/dr"],
            workdir: "/mnt/dr/srv"))
        #expect(resolved.steps[0].rollback == CommandSpec(
            argv: ["ssh", "standby.example", "systemctl", "start", "app"], environment: ["TARGET": "/mnt/dr"],
            workdir: "/mnt/dr/srv"))
        #expect(resolved.steps[1].action.restore == RestoreStep(service: "files", point: .id("/mnt/dr"), target: "/mnt/dr/files"))
        #expect(resolved.steps[2].action.probe == .http(url: "http://standby.example:8080/", status: 200))
        #expect(resolved.steps[3].action.probe == .tcp(host: "standby.example", port: 5432))
        #expect(resolved.steps[4].action.prompt == "Is standby.example serving?")

        let withDefault = try plan.resolved(with: ["host": "h"])
        #expect(withDefault.steps[1].action.restore?.target == "//files")
        #expect(withDefault.variables["target"] == "/")
    }

    @Test("a value for an undeclared var is a usage error listing the declared ones")
    func undeclared() throws {
        let error = #expect(throws: LifeboatError.self) { try plan().resolved(with: ["host": "h", "hots": "x"]) }
        #expect(error?.code == .usage)
        #expect(error?.message == #"plan files-recovery has no var hots (did you mean "host"?) (declared: host, target); "#
            + "pass only the plan's vars, or declare them under vars: in \(planFile)")
    }

    @Test("a var without a default needs a value")
    func missing() throws {
        let error = #expect(throws: LifeboatError.self) { try plan().resolved(with: [:]) }
        #expect(error?.code == .usage)
        #expect(error?.message == "plan files-recovery needs a value for host: pass --var host=VALUE")
    }

    @Test("restore targets and workdirs must be absolute once resolved")
    func absolute() throws {
        let error = #expect(throws: LifeboatError.self) { try plan().resolved(with: ["host": "h", "target": "scratch"]) }
        #expect(error?.code == .usage)
        #expect(error?.message == #"plan files-recovery, step stop: the workdir "scratch/srv" is not an absolute path; "#
            + "pass an absolute path (e.g. --var target=/srv/restore)")

        let restoreOnly = try Plan.parse(yaml: planYAML("  - id: r\n    restore: {service: app, target: \"{{target}}\"}\n"),
                                         file: planFile, config: planConfig)
        let targetError = #expect(throws: LifeboatError.self) { try restoreOnly.resolved(with: ["host": "h", "target": ""]) }
        #expect(targetError?.message.hasPrefix(#"plan files-recovery, step r: the restore target "" is not an absolute path"#) == true)
    }
}
