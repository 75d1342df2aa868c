import LifeboatKit
import Testing

@Suite("Plan errors name the file, line and key path")
struct PlanErrorTests {
    @Test("an unknown key lists the valid keys and suggests the closest")
    func unknownKeys() {
        expectAt(planError(planYAML("  - id: a\n    run: \"true\"\n    retrys: 2\n")), line: 10, keyPath: "steps[0].retrys",
                 #"unknown key; did you mean "retries"? (valid keys: id, run, restore, verify, wait, approval, env, workdir, needs, "#)
        expectAt(planError("name: x\nrto: 1h\nparralel: 2\n"), line: 3, keyPath: "parralel", #"did you mean "parallel"?"#,
                 "valid keys: name, tier, rto, services, parallel, vars, steps")
        expectAt(planError(planYAML("  - id: a\n    restore: {service: files, target: /x, mod: exact}\n")), line: 9,
                 keyPath: "steps[0].restore.mod", #"did you mean "mode"?"#)
    }

    @Test("a step has exactly one action")
    func oneAction() {
        let two = planError(planYAML("  - id: a\n    run: \"true\"\n    verify: files\n"))
        #expect(two == "\(planFile):8: steps[0]: a step does one thing, and this one has run and verify; "
            + "split it into 2 steps, each later one with needs: [the one before]")
        expectAt(planError(planYAML("  - id: a\n    run: x\n    wait: {tcp: \"db:1\"}\n    approval: ok\n")), line: 8,
                 keyPath: "steps[0]", "this one has run, wait and approval; split it into 3 steps")
        let none = planError(planYAML("  - id: a\n    needs: []\n"))
        #expect(none == "\(planFile):8: steps[0]: the step does nothing: give it one of run, restore, verify, wait, approval "
            + #"(e.g. run: "systemctl start app")"#)
        expectAt(planError(planYAML("  - id: a\n    verify: files\n    env: {A: b}\n")), line: 10, keyPath: "steps[0].env",
                 "env applies only to run steps (and their rollback); this is a verify step")
    }

    @Test("ids, needs and cycles are checked across steps")
    func graph() {
        let duplicate = planError(planYAML("  - id: a\n    run: \"true\"\n  - id: a\n    run: \"false\"\n"))
        #expect(duplicate == "\(planFile):10: steps[1].id: duplicate step id \"a\" (also at line 8); give each step its own id")

        let unknown = planError(planYAML("  - id: stop-app\n    run: x\n  - id: b\n    run: y\n    needs: [stop-ap]\n"))
        #expect(unknown == "\(planFile):12: steps[1].needs: unknown step \"stop-ap\"; did you mean \"stop-app\"? (steps: stop-app)")

        let itself = planError(planYAML("  - id: a\n    run: x\n    needs: a\n"))
        #expect(itself == "\(planFile):10: steps[0].needs: step \"a\" needs itself; remove it from needs")

        let cycle = planError(planYAML("""
              - id: a
                run: x
                needs: [c]
              - id: b
                run: y
                needs: [a]
              - id: c
                run: z
                needs: [b]

            """))
        #expect(cycle == "\(planFile):10: steps[0].needs: cycle: a -> c -> b -> a (each step needs the next); remove one of these needs")
    }

    @Test("all graph problems are reported together, one line each")
    func severalGraphProblems() {
        let message = planError(planYAML("""
              - id: a
                run: x
                needs: [b]
              - id: b
                run: y
                needs: [a, b]
              - id: a
                run: z
              - id: c
                run: w
                needs:
                  - nope
                  - a

            """))
        let lines = message.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(message)")
        guard lines.count == 4 else { return }
        #expect(lines[0] == "\(planFile):10: steps[0].needs: cycle: a -> b -> a (each step needs the next); remove one of these needs")
        #expect(lines[1] == "\(planFile):13: steps[1].needs: step \"b\" needs itself; remove it from needs")
        #expect(lines[2] == "\(planFile):14: steps[2].id: duplicate step id \"a\" (also at line 8); give each step its own id")
        expectAt(lines[3], line: 19, keyPath: "steps[3].needs", #"unknown step "nope"; (steps: a, b)"#)
    }

    @Test("services must be configured, and restore and verify steps must name one of the plan's")
    func services() {
        let unknown = planError("name: x\nrto: 1h\nservices: [files, fils]\nsteps: [{ id: a, run: x }]\n")
        #expect(unknown == "\(planFile):3: services[1]: unknown service \"fils\"; did you mean \"files\"? "
            + "(services in /etc/lifeboat/lifeboat.yaml: files, app, db)")
        expectAt(planError("name: x\nrto: 1h\nservices: []\nsteps: [{ id: a, run: x }]\n"), line: 3, keyPath: "services",
                 "the list is empty")
        expectAt(planError("name: x\nrto: 1h\nservices: [app, app]\nsteps: [{ id: a, run: x }]\n"), line: 3,
                 keyPath: "services[1]", #"service "app" is listed twice"#)

        let restore = planError(planYAML("  - id: a\n    restore: {service: db, target: /x}\n"))
        #expect(restore == "\(planFile):9: steps[0].restore.service: service \"db\" is not one of the plan's services; "
            + "(services: files, app); add it to the plan's services to recover it here")
        expectAt(planError(planYAML("  - id: a\n    verify: fles\n")), line: 9, keyPath: "steps[0].verify",
                 #"service "fles" is not one of the plan's services; did you mean "files"? (services: files, app); name one of"#)
    }

    @Test("every placeholder is declared in vars")
    func placeholders() {
        let message = planError(planYAML("  - id: a\n    run: \"ping -c1 {{hots}}\"\n"))
        #expect(message == "\(planFile):9: steps[0].run: {{hots}} is not declared; did you mean \"host\"? "
            + "(declared vars: host, target); declare it under vars: with a default, or null to require --var hots=VALUE")
        expectAt(planError(planYAML("  - id: a\n    run: x\n    env:\n      URL: \"http://{{ site }}/\"\n")), line: 11,
                 keyPath: "steps[0].env.URL", "{{site}} is not declared")
        expectAt(planError(planYAML("  - id: a\n    run: [curl, x]\n    rollback: [echo, \"{{nope}}\"]\n")), line: 10,
                 keyPath: "steps[0].rollback[1]", "{{nope}} is not declared")
        expectAt(planError("name: x\nrto: 1h\nservices: app\nsteps:\n  - id: a\n    approval: \"go {{where}}?\"\n"), line: 6,
                 keyPath: "steps[0].approval", "(the plan declares no vars)")
        // Other text between double braces is not a placeholder.
        #expect(throws: Never.self) {
            try Plan.parse(yaml: planYAML("  - id: a\n    run: \"docker inspect -f '{{.State.Running}}' app\"\n"),
                           file: planFile, config: planConfig)
        }
    }

    @Test("wait probes: one of http, tcp or command; status with http only; valid addresses")
    func probes() {
        let tcp = planError(planYAML("  - id: a\n    wait: {tcp: localhost}\n"))
        #expect(tcp == "\(planFile):9: steps[0].wait.tcp: invalid address \"localhost\": the port is missing; write host:port "
            + #"(e.g. tcp: "127.0.0.1:5432", or tcp: "[::1]:5432" for IPv6)"#)
        expectAt(planError(planYAML("  - id: a\n    wait: {tcp: \"::1:5432\"}\n")), line: 9, keyPath: "steps[0].wait.tcp",
                 "put an IPv6 address in brackets")
        expectAt(planError(planYAML("  - id: a\n    wait: {tcp: \"db:70000\"}\n")), line: 9, keyPath: "steps[0].wait.tcp",
                 "port 70000 is out of range 1-65535")
        expectAt(planError(planYAML("  - id: a\n    wait: {tcp: \"db:pg\"}\n")), line: 9, keyPath: "steps[0].wait.tcp",
                 #"the port "pg" is not a number"#)

        let status = planError(planYAML("  - id: a\n    wait:\n      tcp: \"db:5432\"\n      status: 200\n"))
        #expect(status == "\(planFile):11: steps[0].wait.status: status applies only to http probes; "
            + "a tcp probe succeeds when the connection opens")
        expectAt(planError(planYAML("  - id: a\n    wait: {http: \"ftp://x\"}\n")), line: 9, keyPath: "steps[0].wait.http",
                 #""ftp://x" is not an http:// or https:// URL with a host"#)
        expectAt(planError(planYAML("  - id: a\n    wait: {http: \"http://x\", status: 700}\n")), line: 9,
                 keyPath: "steps[0].wait.status", "700 is out of range")
        expectAt(planError(planYAML("  - id: a\n    wait: {interval: 1s}\n")), line: 9, keyPath: "steps[0].wait",
                 "missing the probe: give one of http, tcp or command")
        expectAt(planError(planYAML("  - id: a\n    wait: {http: \"http://x\", tcp: \"x:1\"}\n")), line: 9, keyPath: "steps[0].wait",
                 "this one has http and tcp")
    }

    @Test("contradictions and invalid values in a step")
    func stepValues() {
        let both = planError(planYAML("  - id: a\n    run: x\n    continue_on_error: true\n    critical: true\n"))
        #expect(both == "\(planFile):11: steps[0].critical: critical and continue_on_error contradict each other: "
            + "a critical failure stops the plan, continue_on_error lets it go on; keep one")
        expectAt(planError(planYAML("  - id: a b\n    run: x\n")), line: 8, keyPath: "steps[0].id", #"invalid step id "a b""#)
        expectAt(planError(planYAML("  - run: x\n")), line: 8, keyPath: "steps[0]", #"missing key "id""#)
        expectAt(planError(planYAML("  - id: a\n    run: x\n    retries: 101\n")), line: 10, keyPath: "steps[0].retries",
                 "101 is out of range: expected a number of retries from 0 to 100")
        expectAt(planError(planYAML("  - id: a\n    run: x\n    timeout: 0s\n")), line: 10, keyPath: "steps[0].timeout",
                 "must be longer than 0s")
        expectAt(planError(planYAML("  - id: a\n    run: x\n    workdir: srv\n")), line: 10, keyPath: "steps[0].workdir",
                 "workdir must be an absolute path, or start with a placeholder")
        expectAt(planError(planYAML("  - id: a\n    run: \"  \"\n")), line: 9, keyPath: "steps[0].run", "the command is empty")
        expectAt(planError(planYAML("  - id: a\n    run: [\"\", x]\n")), line: 9, keyPath: "steps[0].run[0]", "the program name is empty")
        expectAt(planError(planYAML("  - id: a\n    run: x\n    env: {LIFEBOAT_STEP: x}\n")), line: 10,
                 keyPath: "steps[0].env.LIFEBOAT_STEP", "set by Lifeboat")
        expectAt(planError(planYAML("  - id: a\n    run: x\n    critical: maybe\n")), line: 10, keyPath: "steps[0].critical",
                 "expected true or false, got a string")
        expectAt(planError(planYAML("  - id: a\n    approval: \"\"\n")), line: 9, keyPath: "steps[0].approval", "the prompt is empty")
    }

    @Test("restore steps: target, point and mode")
    func restoreValues() {
        expectAt(planError(planYAML("  - id: a\n    restore: {service: files, target: srv}\n")), line: 9,
                 keyPath: "steps[0].restore.target", "the target must be an absolute path, or start with a placeholder")
        expectAt(planError(planYAML("  - id: a\n    restore: {service: files}\n")), line: 9, keyPath: "steps[0].restore",
                 #"missing key "target""#)
        expectAt(planError(planYAML("  - id: a\n    restore: {service: files, target: /x, backup: b1, at: \"2024-05-01T03:00:00Z\"}\n")),
                 line: 9, keyPath: "steps[0].restore.at", "at and backup exclude each other")
        expectAt(planError(planYAML("  - id: a\n    restore: {service: files, target: /x, at: yesterday}\n")), line: 9,
                 keyPath: "steps[0].restore.at", #"invalid time "yesterday": write an ISO 8601 time with its zone"#)
        expectAt(planError(planYAML("  - id: a\n    restore: {service: files, target: /x, mode: exakt}\n")), line: 9,
                 keyPath: "steps[0].restore.mode", #"unknown mode "exakt"; did you mean "exact"?"#)
    }

    @Test("top-level values: name, tier or rto, parallel, vars, steps, YAML syntax")
    func topLevel() {
        expectAt(planError("name: x\nservices: app\nsteps: [{ id: a, run: x }]\n"), line: 1, keyPath: "top level",
                 #"missing key "tier" or "rto""#)
        expectAt(planError("name: x\ntier: tier-2\nservices: app\nsteps: [{ id: a, run: x }]\n"), line: 2, keyPath: "tier",
                 #"unknown tier "tier-2"; "#, "known tiers: tier-1-critical, tier-2-important, tier-3-standard")
        expectAt(planError("name: my plan\nrto: 1h\nservices: app\nsteps: [{ id: a, run: x }]\n"), line: 1, keyPath: "name",
                 "invalid plan name")
        expectAt(planError("name: x\nrto: 1h\nservices: app\nparallel: 65\nsteps: [{ id: a, run: x }]\n"), line: 4,
                 keyPath: "parallel", "65 is out of range: expected a number of steps from 1 to 64")
        expectAt(planError("name: x\nrto: 1h\nservices: app\nvars: {a: [1]}\nsteps: [{ id: a, run: x }]\n"), line: 4,
                 keyPath: "vars.a", "expected a default value (text), or null")
        expectAt(planError("name: x\nrto: 1h\nservices: app\nsteps: []\n"), line: 4, keyPath: "steps", "the plan has no steps")
        expectAt(planError("name: x\nrto: 1h\nservices: app\n"), line: 1, keyPath: "top level", #"missing key "steps""#)
        expectAt(planError("name: x\nrto: 1h\nservices: app\nsteps:\n  - id: a\n    run: *x\n"), line: 6,
                 keyPath: "steps.run", "invalid YAML: found undefined alias")
    }
}
