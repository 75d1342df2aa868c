import Foundation
import Glibc
import LifeboatKit
import Testing

@Suite("Drill files are read into exact values, with located errors")
final class DrillLoaderTests {
    /// A temporary folder holding `Plans/files-recovery.yaml`; drills are parsed as `Drills/files-lost.yaml` in it.
    let folder: String
    var drillFile: String { folder + "/Drills/files-lost.yaml" }

    static let plan = """
        name: files-recovery
        tier: tier-2-important
        services: [files]
        vars:
          target: /
          host: 127.0.0.1
          token: null
        steps:
          - id: restore-files
            restore: {service: files, target: "{{target}}/"}
          - id: go-ahead
            approval: "Switch traffic?"
          - id: start
            run: "systemctl start app"
        """

    init() throws {
        folder = try makeTemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/Plans", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/Drills", withIntermediateDirectories: true)
        try writePlan(Self.plan)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func writePlan(_ text: String, name: String = "files-recovery.yaml") throws {
        try text.write(toFile: folder + "/Plans/" + name, atomically: true, encoding: .utf8)
    }

    func drill(_ yaml: String) throws -> Drill { try Drill.parse(yaml: yaml, file: drillFile, config: planConfig) }

    /// The message of the error that parsing `yaml` as a drill throws.
    func drillError(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let error = #expect(throws: LifeboatError.self, sourceLocation: sourceLocation) { try self.drill(yaml) }
        #expect(error?.code == .configuration, sourceLocation: sourceLocation)
        return error?.message ?? ""
    }

    /// A drill whose fields from line 5 on are `rest`.
    func drillYAML(_ rest: String) -> String {
        "name: files-lost\nplan: ../Plans/files-recovery.yaml\ninject: [{delete: srv/files}]\nvars: {token: t}\n" + rest
    }

    @Test("every field")
    func full() throws {
        let drill = try drill(#"""
            name: files-lost
            plan: ../Plans/files-recovery.yaml
            cadence: quarterly
            target:
              setup: "systemctl start app-staging"
              teardown: [systemctl, stop, app-staging]
            inject:
              - delete: srv/files/data
              - corrupt: ./srv/app//app.db/
                bytes: 512
              - corrupt: srv/app/other.db
              - stop: run/app.pid
                signal: SIGKILL
              - stop: run/b.pid
              - stop: run/c.pid
                signal: usr1
              - run: "echo boom"
            approvals: {go-ahead: yes}
            success:
              rto: 5m
              rpo: 1d
              checks: ["test -s \"$LIFEBOAT_TARGET/srv/files/data/index.txt\"", {run: "true", timeout: 30s, name: x}]
            max_duration: 30m
            vars: {host: 10.0.0.1, token: abc}
            """#)
        #expect(drill.name == "files-lost")
        #expect(drill.file == drillFile)
        #expect(drill.plan == folder + "/Plans/files-recovery.yaml")
        #expect(drill.cadence == (try CronExpression(parsing: "0 0 1 1,4,7,10 *")))
        #expect(drill.target == DrillTarget(origin: .backups, setup: .shell("systemctl start app-staging"),
                                            teardown: CommandSpec(argv: ["systemctl", "stop", "app-staging"])))
        #expect(drill.inject == [
            .delete(path: "srv/files/data"),
            .corrupt(path: "srv/app/app.db", bytes: 512),
            .corrupt(path: "srv/app/other.db", bytes: 4096),
            .stop(pidFile: "run/app.pid", signal: SIGKILL),
            .stop(pidFile: "run/b.pid", signal: SIGTERM),
            .stop(pidFile: "run/c.pid", signal: SIGUSR1),
            .command(.shell("echo boom")),
        ])
        #expect(drill.approvals == ["go-ahead": true])
        #expect(drill.success == SuccessCriteria(rto: .minutes(5), rpo: .days(1), checks: [
            CheckSpec(kind: .command(#"test -s "$LIFEBOAT_TARGET/srv/files/data/index.txt""#)),
            CheckSpec(kind: .command("true"), timeout: .seconds(30), name: "x"),
        ]))
        #expect(drill.maxDuration == .minutes(30))
        #expect(drill.variables == ["host": "10.0.0.1", "token": "abc"])
    }

    @Test("defaults: on demand, from backups, no approvals, no checks, one hour")
    func defaults() throws {
        let drill = try drill(drillYAML("target: null\n"))
        #expect(drill.cadence == nil)
        #expect(drill.target == DrillTarget(origin: .backups))
        #expect(drill.inject == [.delete(path: "srv/files")])
        #expect(drill.approvals.isEmpty)
        #expect(drill.success == SuccessCriteria())
        #expect(drill.maxDuration == Drill.defaultMaxDuration)
        #expect(drill.variables == ["token": "t"])

        let prepared = try self.drill(drillYAML("target: {path: /srv/staging/, teardown: \"true\"}\n"))
        #expect(prepared.target == DrillTarget(origin: .prepared(path: "/srv/staging"), teardown: .shell("true")))
    }

    @Test("inject paths stay inside the drill target")
    func injectPaths() throws {
        func inject(_ item: String) -> String {
            "name: files-lost\nplan: ../Plans/files-recovery.yaml\nvars: {token: t}\ninject:\n  - \(item)\n"
        }
        let dotDot = drillError(inject("delete: srv/../../etc"))
        #expect(dotDot == "\(drillFile):5: inject[0].delete: \"..\" is refused: an injection stays inside the drill target "
            + "(e.g. delete: srv/app/data)")
        // An absolute path names the same path inside the target, never this machine's own.
        #expect(try drill(inject("corrupt: /srv/app/app.db")).inject == [.corrupt(path: "srv/app/app.db", bytes: 4096)])
        expectAt(drillError(inject("stop: ./")), file: drillFile, line: 5, keyPath: "inject[0].stop",
                 "the path names the drill target itself")
        expectAt(drillError(inject("delete: \"\"")), file: drillFile, line: 5, keyPath: "inject[0].delete", "the path is empty")
        expectAt(drillError(inject("{delete: a, bytes: 10}")), file: drillFile, line: 5, keyPath: "inject[0].bytes",
                 "bytes applies only to corrupt; this item is a delete")
        expectAt(drillError(inject("{corrupt: a, bytes: 0}")), file: drillFile, line: 5, keyPath: "inject[0].bytes",
                 "0 is out of range: expected a number of bytes from 1 to 1048576")
        expectAt(drillError(inject("{stop: a.pid, signal: KIL}")), file: drillFile, line: 5, keyPath: "inject[0].signal",
                 #"unknown signal "KIL"; did you mean "KILL"? (signals: TERM, KILL, INT, HUP, QUIT, USR1, USR2)"#)
        expectAt(drillError(inject("{delete: a, run: b}")), file: drillFile, line: 5, keyPath: "inject[0]",
                 "an injection does one thing, and this one has delete and run")
        expectAt(drillError(inject("{bytes: 1}")), file: drillFile, line: 5, keyPath: "inject[0]",
                 "missing the injection: give one of delete, corrupt, stop, run")
        expectAt(drillError("name: files-lost\nplan: ../Plans/files-recovery.yaml\nvars: {token: t}\ninject: []\n"), file: drillFile, line: 4,
                 keyPath: "inject", "a drill needs a disaster")
    }

    @Test("approvals answer approval steps of the plan only")
    func approvals() {
        let unknown = drillError(drillYAML("approvals:\n  go-ahed: yes\n"))
        #expect(unknown == "\(drillFile):6: approvals.go-ahed: plan files-recovery has no step \"go-ahed\"; "
            + "did you mean \"go-ahead\"? (its approval steps: go-ahead)")
        expectAt(drillError(drillYAML("approvals: {start: yes}\n")), file: drillFile, line: 5, keyPath: "approvals.start",
                 #"step "start" of plan files-recovery is a run step, not an approval"#)
        expectAt(drillError(drillYAML("approvals: {go-ahead: sure}\n")), file: drillFile, line: 5, keyPath: "approvals.go-ahead",
                 "expected true or false")
    }

    @Test("vars: target is reserved, others must be the plan's, and required ones must be given")
    func variables() {
        let reserved = drillError("name: files-lost\nplan: ../Plans/files-recovery.yaml\nvars:\n  target: /srv\n")
        #expect(reserved == "\(drillFile):4: vars.target: target is set by the drill (its scratch or prepared folder); remove it here")
        expectAt(drillError("name: files-lost\nplan: ../Plans/files-recovery.yaml\nvars: {hots: x}\n"), file: drillFile, line: 3,
                 keyPath: "vars.hots", #"unknown var "hots"; did you mean "host"? (plan files-recovery declares: host, token)"#)
        let missing = drillError("name: files-lost\nplan: ../Plans/files-recovery.yaml\ninject: [{delete: a}]\n")
        #expect(missing == "\(drillFile):2: plan: plan files-recovery needs a value for token; set it under vars: "
            + "(e.g. vars: { token: VALUE })")
    }

    @Test("the plan file: missing, invalid, or restoring outside the drill target")
    func planFiles() throws {
        let missing = drillError("name: files-lost\nplan: ../Plans/nope.yaml\n")
        #expect(missing == "\(drillFile):2: plan: no plan file at \(folder)/Plans/nope.yaml; fix the path (a relative one is "
            + "taken from the drill file's folder, \(folder)/Drills), or write the plan (see Plans/README.md)")

        try writePlan("name: broken\nrto: 1h\nservices: [files]\nsteps: [{ id: a }]\n", name: "broken.yaml")
        let broken = drillError("name: files-lost\nplan: ../Plans/broken.yaml\n")
        #expect(broken.hasPrefix("\(folder)/Plans/broken.yaml:4: steps[0]: the step does nothing"))

        try writePlan("name: prod\nrto: 1h\nservices: [files]\nvars: {target: /}\nsteps:\n  - id: r\n"
                      + "    restore: {service: files, target: /srv}\n", name: "prod.yaml")
        expectAt(drillError("name: files-lost\nplan: ../Plans/prod.yaml\n"), file: drillFile, line: 2, keyPath: "plan",
                 "step r of plan prod restores to /srv, outside the drill's target", #"target: "{{target}}""#)

        try writePlan("name: plain\nrto: 1h\nservices: [files]\nsteps: [{ id: a, run: \"true\" }]\n", name: "plain.yaml")
        let untargeted = drillError("name: files-lost\nplan: ../Plans/plain.yaml\n")
        #expect(untargeted == "\(drillFile):2: plan: plan plain declares no target var; a drill runs the plan against its own "
            + #"target folder, passed as {{target}}: add vars: { target: / } to \#(folder)/Plans/plain.yaml and restore into "{{target}}""#)
    }

    @Test("target, success, cadence and max_duration values")
    func otherValues() {
        let both = drillError(drillYAML("target:\n  from: backups\n  path: /srv/staging\n"))
        #expect(both == "\(drillFile):7: target.path: from and path exclude each other (from at line 6): "
            + "the target is either restored from backups or a prepared environment; keep one")
        expectAt(drillError(drillYAML("target: {from: snapshot}\n")), file: drillFile, line: 5, keyPath: "target.from",
                 #"unknown origin "snapshot": the only one is backups"#)
        expectAt(drillError(drillYAML("target: {path: staging}\n")), file: drillFile, line: 5, keyPath: "target.path",
                 "the path must be absolute")
        expectAt(drillError(drillYAML("target: {path: /srv/..}\n")), file: drillFile, line: 5, keyPath: "target.path",
                 #"the target cannot be "/""#)
        expectAt(drillError(drillYAML("success:\n  checks:\n    - {sql: \"SELECT 1\"}\n")), file: drillFile, line: 7,
                 keyPath: "success.checks[0].sql", "sql checks need a sqlite source or a postgres source")
        expectAt(drillError(drillYAML("success: {rto: 5}\n")), file: drillFile, line: 5, keyPath: "success.rto",
                 "expected a duration")
        expectAt(drillError(drillYAML("cadence: fortnightly\n")), file: drillFile, line: 5, keyPath: "cadence",
                 #"unknown alias "fortnightly""#)
        expectAt(drillError(drillYAML("max_duration: 0s\n")), file: drillFile, line: 5, keyPath: "max_duration",
                 "must be longer than 0s")
        expectAt(drillError(drillYAML("injects: []\n")), file: drillFile, line: 5, keyPath: "injects", #"did you mean "inject"?"#)
    }

    @Test("a drill file is read from disk; a missing one says what to do")
    func load() throws {
        try drillYAML("").write(toFile: drillFile, atomically: true, encoding: .utf8)
        let drill = try Drill.load(file: drillFile, config: planConfig)
        #expect(drill.name == "files-lost" && drill.plan == folder + "/Plans/files-recovery.yaml")
        let missing = #expect(throws: LifeboatError.self) { try Drill.load(file: self.folder + "/Drills/x.yaml", config: planConfig) }
        #expect(missing?.message == "drill file \(folder)/Drills/x.yaml does not exist; check the path, or write the file "
            + "(see Drills/README.md)")
    }
}
