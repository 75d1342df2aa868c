import Foundation
import Testing

/// `lifeboat config check` and the commands that need services, on files that are valid YAML but
/// define nothing to protect or name schedules that skip months.
@Suite("config check: empty files and odd schedules")
struct ConfigCheckCommandTests {
    @Test("an empty config: config check warns (exit 3); backup, run-due, schedule, verify and report exit 2 saying to add a service")
    func emptyConfig() throws {
        let h = try CLIHarness(config: "")
        defer { h.remove() }
        let check = try h.lifeboat("config", "check")
        #expect(check.status == 3 && check.stderr.contains("defines no services: nothing will be backed up")
                && check.stderr.contains("under `services:`"), "\(check.output)")
        for command in [["backup", "--all"], ["run-due"], ["schedule"], ["verify"], ["report"]] {
            let result = try h.run(CLIHarness.binary, command + ["--config", "\(h.root)/lifeboat.yaml"])
            #expect(result.status == 2 && result.stderr.contains("\(h.root)/lifeboat.yaml defines no services")
                    && result.stderr.contains("add one under `services:`"), "lifeboat \(command.joined(separator: " ")): \(result.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(h.root)/repo"), "a refused command created a repository")
    }

    @Test("31 February is an error (exit 2); day 31 of every month is a warning at its line (exit 3)")
    func schedules() throws {
        let never = try CLIHarness(config: CLIHarness.config(services: "  app:\n    source: { type: files, paths: [./srv/app] }\n    full: \"0 2 31 2 *\"\n"))
        defer { never.remove() }
        let refused = try never.lifeboat("config", "check")
        #expect(refused.status == 2 && refused.stderr.contains("lifeboat.yaml:6: services.app.full: \"0 2 31 2 *\" never fires"), "\(refused.output)")
        let some = try CLIHarness(config: CLIHarness.config(services: "  app:\n    source: { type: files, paths: [./srv/app] }\n    full: \"0 2 31 * *\"\n"))
        defer { some.remove() }
        let warned = try some.lifeboat("config", "check")
        #expect(warned.status == 3 && warned.stderr.contains("lifeboat.yaml:6: services.app.full: \"0 2 31 * *\" does not fire every month"),
                "\(warned.output)")
        let json = try some.lifeboat("config", "check", "--json")
        #expect(json.stdout.contains("does not fire every month"), "\(json.output)")
    }
}
