import Testing
import LifeboatKit

/// What a configuration may say but probably does not mean: no services at all, and schedules whose
/// day of the month does not exist in (some of) the months they name.
@Suite("Config warnings: empty files and schedules that skip months")
struct ConfigWarningTests {
    static let source = "source: { type: files, paths: [/srv/app] }"

    func config(_ yaml: String) throws -> LifeboatConfig {
        try LifeboatConfig.parse(yaml: yaml, path: configPath)
    }

    @Test("an empty file is valid but has no services: config check warns, and commands that need services refuse")
    func noServices() throws {
        for yaml in ["", "services:\n", "services: {}\n", "repository: ./repo\n"] {
            let config = try config(yaml)
            #expect(config.services.isEmpty)
            let warning = try #require(config.noServicesWarning, "\(yaml)")
            #expect(warning.contains("\(configPath) defines no services") && warning.contains("under `services:`"), "\(warning)")
            let error = #expect(throws: LifeboatError.self) { try config.requireServices(toDo: "back up") }
            #expect(error?.code == .configuration)
            #expect(error?.message.hasPrefix("\(configPath) defines no services, so there is nothing to back up; add one under `services:`") == true,
                    "\(error?.message ?? "")")
        }
        let one = try config("services:\n  app: { \(Self.source) }\n")
        #expect(one.noServicesWarning == nil)
        try one.requireServices(toDo: "back up")
    }

    @Test("a schedule that never fires (31 February, 30 February, 31 April and June) is an error at its line and key path")
    func neverFires() {
        expectLocated(configError("tiers:\n  tier-3-standard:\n    full: \"0 2 31 2 *\"\n"), line: 3, keyPath: "tiers.tier-3-standard.full",
                      #""0 2 31 2 *" never fires: February has no day 31"#)
        expectLocated(configError("services:\n  app:\n    \(Self.source)\n    verify: \"0 3 30 feb *\"\n"), line: 4,
                      keyPath: "services.app.verify", "never fires: February has no day 30")
        expectLocated(configError("tiers:\n  gold: { rto: 1h, rpo: 1h, full: daily, incremental: \"0 0 31 4,6 *\" }\n"), line: 2,
                      keyPath: "tiers.gold.incremental", "never fires: April and June have no day 31")
    }

    @Test("a day of the month that only some named months have is a warning naming the months skipped")
    func skipsMonths() throws {
        let config = try config("""
            tiers:
              tier-3-standard:
                full: "0 2 31 * *"
            services:
              app:
                \(Self.source)
                drill: "0 4 29 2 *"
                verify: "0 3 30,31 1-3 *"
            """)
        #expect(config.warnings == [
            #"\#(configPath):3: tiers.tier-3-standard.full: "0 2 31 * *" does not fire every month it names: "#
                + "it skips February, April, June, September and November, which have no day 31; use day 28 or earlier to run every month",
            #"\#(configPath):7: services.app.drill: "0 4 29 2 *" does not fire every month it names: "#
                + "in February it fires only in leap years (day 29); use day 28 or earlier to run every month",
            #"\#(configPath):8: services.app.verify: "0 3 30,31 1-3 *" does not fire every month it names: "#
                + "it skips February, which has no day 30; use day 28 or earlier to run every month",
        ])
    }

    @Test("schedules that fire every month they name give no warning")
    func fine() throws {
        let config = try config("""
            tiers:
              tier-3-standard: { full: "0 2 28 * *", incremental: "0 * 15,31 * *", verify: "0 3 31 1,3,5,7,8,10,12 *" }
              gold: { rto: 1h, rpo: 1h, full: "0 0 31 * mon", incremental: "*/5 * * * *", drill: "0 0 */10 * *" }
            services:
              app: { tier: gold, \(Self.source) }
            """)
        #expect(config.warnings == [])
    }
}
