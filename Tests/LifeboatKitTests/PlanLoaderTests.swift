import Foundation
import LifeboatKit
import Testing

@Suite("Plan files are read into exact values")
struct PlanLoaderTests {
    static let full = """
        name: files-recovery
        tier: tier-2-important
        rto: 15m
        services: [files, app]
        parallel: 2
        vars:
          target: /
          host: null
          port: 8080
        steps:
          - id: stop-app
            run: "systemctl stop app"
            env: {APP_ENV: production, PORT: 8080}
            workdir: /srv
            timeout: 30s
            retries: 2
            retry_delay: 5s
            rollback: [systemctl, start, app]
            critical: true
          - id: restore-files
            needs: stop-app
            restore: {service: files, target: "{{target}}"}
          - id: restore-app
            needs: [stop-app]
            restore: {service: app, backup: 20240501T030000Z-1a2b, target: "{{ target }}/restore", mode: empty}
          - id: restore-app-at
            restore: {service: app, at: 2024-05-01T03:00:00Z, target: /srv/old, mode: exact}
          - id: verify-files
            needs: [restore-files]
            verify: files
            continue_on_error: true
          - id: verify-app
            verify: {service: app, backup: 20240501T030000Z-1a2b}
          - id: wait-http
            wait: {http: "http://{{host}}:{{port}}/health", status: 200, interval: 2s}
          - id: wait-tcp
            wait: {tcp: "[::1]:5432"}
          - id: wait-command
            wait: {command: [pg_isready, -p, 5432]}
          - id: go-ahead
            needs: [verify-files, wait-http, wait-tcp]
            approval: "Switch traffic to {{host}}?"
            timeout: 5m
        """

    @Test("a plan with every kind of step")
    func fullPlan() throws {
        let plan = try Plan.parse(yaml: Self.full, file: planFile, config: planConfig)
        #expect(plan.name == "files-recovery")
        #expect(plan.file == planFile)
        #expect(plan.tier == "tier-2-important")
        #expect(plan.rto == .minutes(15))
        #expect(plan.services == ["files", "app"])
        #expect(plan.parallel == 2)
        #expect(plan.variables == ["target": "/", "host": String?.none, "port": "8080"])
        #expect(plan.steps.map(\.id) == ["stop-app", "restore-files", "restore-app", "restore-app-at", "verify-files",
                                         "verify-app", "wait-http", "wait-tcp", "wait-command", "go-ahead"])
        #expect(plan.steps.map(\.line) == [11, 20, 23, 26, 28, 32, 34, 36, 38, 40])

        let stop = plan.steps[0]
        let place = (environment: ["APP_ENV": "production", "PORT": "8080"], workdir: "/srv")
        #expect(stop.action.command == CommandSpec(argv: ["/bin/bash", "-c", "systemctl stop app"],
                                                   environment: place.environment, workdir: place.workdir))
        #expect(stop.rollback == CommandSpec(argv: ["systemctl", "start", "app"], environment: place.environment,
                                             workdir: place.workdir))
        #expect(stop.needs == [])
        #expect(stop.timeout == .seconds(30))
        #expect(stop.effectiveTimeout == .seconds(30))
        #expect(stop.retries == 2)
        #expect(stop.retryDelay == .seconds(5))
        #expect(stop.critical && !stop.continueOnError)

        #expect(plan.steps[1].needs == ["stop-app"])
        #expect(plan.steps[1].action.restore == RestoreStep(service: "files", point: .latest, target: "{{target}}", mode: .force))
        #expect(plan.steps[1].timeout == nil && plan.steps[1].effectiveTimeout == .hours(1))
        #expect(plan.steps[1].retries == 0 && plan.steps[1].retryDelay == .seconds(1) && plan.steps[1].rollback == nil)
        #expect(plan.steps[2].action.restore == RestoreStep(service: "app", point: .id("20240501T030000Z-1a2b"),
                                                           target: "{{ target }}/restore", mode: .empty))
        #expect(plan.steps[3].action.restore == RestoreStep(service: "app", point: .at(Date(timeIntervalSince1970: 1_714_532_400)),
                                                           target: "/srv/old", mode: .exact))
        #expect(plan.steps[4].action.verify == VerifyStep(service: "files"))
        #expect(plan.steps[4].continueOnError && !plan.steps[4].critical)
        #expect(plan.steps[5].action.verify == VerifyStep(service: "app", backup: "20240501T030000Z-1a2b"))
        #expect(plan.steps[6].action.probe == .http(url: "http://{{host}}:{{port}}/health", status: 200))
        #expect(plan.steps[6].action.interval == .seconds(2))
        #expect(plan.steps[6].effectiveTimeout == .minutes(10))
        #expect(plan.steps[7].action.probe == .tcp(host: "::1", port: 5432))
        #expect(plan.steps[7].action.interval == .seconds(1))
        #expect(plan.steps[8].action.probe == .command(CommandSpec(argv: ["pg_isready", "-p", "5432"])))
        #expect(plan.steps[9].action.prompt == "Switch traffic to {{host}}?")
        #expect(plan.steps[9].needs == ["verify-files", "wait-http", "wait-tcp"])
        #expect(plan.steps[9].timeout == .minutes(5))
    }

    @Test("defaults: the tier's RTO, parallel 4, a single service as a string, no vars")
    func defaults() throws {
        let plan = try Plan.parse(yaml: """
            name: app-restart
            tier: tier-1-critical
            services: app
            steps:
              - { id: a, run: "true" }
            """, file: planFile, config: planConfig)
        #expect(plan.rto == .hours(1))
        #expect(plan.tier == "tier-1-critical")
        #expect(plan.services == ["app"])
        #expect(plan.parallel == Plan.defaultParallel)
        #expect(plan.variables.isEmpty)
        #expect(plan.steps[0].action.command == .shell("true"))

        let own = try Plan.parse(yaml: "name: x\nrto: 45m\nservices: [db]\nsteps: [{ id: a, run: [\"true\"] }]\n",
                                 file: planFile, config: planConfig)
        #expect(own.rto == .minutes(45) && own.tier == nil)
        #expect(own.steps[0].action.command == CommandSpec(argv: ["true"]))
    }

    @Test("a plan file is read from disk; a missing one says what to do")
    func loadFromDisk() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/recovery.yaml"
        try Self.full.write(toFile: path, atomically: true, encoding: .utf8)
        let plan = try Plan.load(file: path, config: planConfig)
        #expect(plan.file == path && plan.steps.count == 10)

        let missing = #expect(throws: LifeboatError.self) { try Plan.load(file: folder + "/nope.yaml", config: planConfig) }
        #expect(missing?.code == .configuration)
        #expect(missing?.message == "plan file \(folder)/nope.yaml does not exist; check the path, or write the file (see Plans/README.md)")
        let folderError = #expect(throws: LifeboatError.self) { try Plan.load(file: folder, config: planConfig) }
        #expect(folderError?.message.contains("is a folder, not a file") == true)
        // A FIFO is refused before it is opened (reading it would wait for a writer forever).
        #expect(mkfifo(folder + "/fifo.yaml", 0o600) == 0)
        let fifo = #expect(throws: LifeboatError.self) { try Plan.load(file: folder + "/fifo.yaml", config: planConfig) }
        #expect(fifo?.message.contains("is not a regular file") == true, "\(String(describing: fifo))")
    }
}
