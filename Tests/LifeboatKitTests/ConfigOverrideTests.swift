import Foundation
import Testing
import LifeboatKit

@Suite("Tier time zones and per-service overrides")
struct ConfigOverrideTests {
    let utc = TimeZone(identifier: "UTC")!
    let berlin = TimeZone(identifier: "Europe/Berlin")!
    let newYork = TimeZone(identifier: "America/New_York")!

    func cron(_ text: String) throws -> CronExpression { try CronExpression(parsing: text) }

    @Test("timezone sets a tier's wall clock; UTC otherwise, built-ins included")
    func timeZones() throws {
        #expect(Tier.defaults.allSatisfy { $0.timeZone == utc })
        let config = try LifeboatConfig.parse(yaml: """
            tiers:
              tier-2-important: { timezone: Europe/Berlin }
              office: { rto: 8h, rpo: 1d, full: "0 20 * * fri", incremental: "0 18 * * mon-fri", timezone: America/New_York }
              plain: { rto: 8h, rpo: 1d, full: weekly, incremental: daily }
              tier-3-standard: { timezone: null }
            """, path: configPath)
        #expect(try config.tier(named: "tier-1-critical").timeZone == utc)
        var berlinTier = Tier.defaults[1]
        berlinTier.timeZone = berlin
        #expect(try config.tier(named: "tier-2-important") == berlinTier)
        #expect(try config.tier(named: "tier-3-standard") == Tier.defaults[2])
        #expect(try config.tier(named: "office").timeZone == newYork)
        #expect(try config.tier(named: "plain").timeZone == utc)
        #expect(try config.tier(named: "office").incremental.next(
            after: Date(timeIntervalSince1970: 1_704_067_200), in: newYork) == Date(timeIntervalSince1970: 1_704_150_000))
    }

    @Test("an unknown time zone is an error at its line that names valid ones")
    func timeZoneErrors() {
        #expect(configError("tiers:\n  gold:\n    rto: 1h\n    timezone: Mars/Base\n")
            == #"\#(configPath):4: tiers.gold.timezone: unknown time zone "Mars/Base"; use an IANA name such as UTC or Europe/Berlin"#)
        expectLocated(configError("tiers:\n  tier-1-critical: { timezone: europe/berlin }\n"), line: 2,
                      keyPath: "tiers.tier-1-critical.timezone", #"unknown time zone "europe/berlin""#, #"did you mean "Europe/Berlin"?"#)
        expectLocated(configError("tiers:\n  tier-1-critical: { timezone: utc }\n"), line: 2,
                      keyPath: "tiers.tier-1-critical.timezone", #"did you mean "UTC"?"#)
        expectLocated(configError("tiers:\n  tier-1-critical:\n    timezone: 2\n"), line: 3, keyPath: "tiers.tier-1-critical.timezone",
                      "expected an IANA time zone name, got a number (e.g. timezone: Europe/Berlin)")
        expectLocated(configError("services:\n  a:\n    timezone: Europe/Berlinn\n    source: { type: files, paths: [/a] }\n"), line: 3,
                      keyPath: "services.a.timezone", #"unknown time zone "Europe/Berlinn""#, #"did you mean "Europe/Berlin"?"#)
    }

    static let services = """
        tiers:
          tier-2-important: { verify: "0 4 * * *" }
        services:
          api:
            tier: tier-1-critical
            source: { type: files, paths: [/srv/api] }
            rpo: 2m
            incremental: "*/2 * * * *"
            keep: { last: 100 }
            drill: null
            timezone: Europe/Berlin
          worker:
            tier: tier-2-important
            source: { type: files, paths: [/srv/worker] }
            rto: 30m
            full: "0 1 * * *"
            verify: null
          reports:
            source: { type: files, paths: [/srv/reports] }
            drill: monthly
            verify: weekly
          plain:
            tier: tier-2-important
            source: { type: files, paths: [/srv/plain] }
            rpo: null
        """

    @Test("a service's tier fields are kept as overrides and applied by tier(for:)")
    func overrides() throws {
        let config = try LifeboatConfig.parse(yaml: Self.services, path: configPath)
        let api = try config.service(named: "api")
        #expect(api.tier == "tier-1-critical")
        #expect(api.overrides == TierOverrides(
            rpo: .minutes(2), incremental: try cron("*/2 * * * *"), keep: KeepPolicy(last: 100), drill: .some(nil),
            timeZone: berlin))
        var expected = Tier.defaults[0]
        expected.rpo = .minutes(2)
        expected.incremental = try cron("*/2 * * * *")
        expected.keep = KeepPolicy(last: 100)
        expected.drill = nil
        expected.timeZone = berlin
        #expect(try config.tier(for: api) == expected)
        #expect(try config.tier(for: api).name == "tier-1-critical")
        #expect(try config.tier(named: "tier-1-critical") == Tier.defaults[0], "the tier itself is unchanged")

        // Overrides apply on top of the tier as the file changed it.
        let worker = try config.tier(for: config.service(named: "worker"))
        #expect(worker.name == "tier-2-important")
        #expect(worker.rto == .minutes(30))
        #expect(worker.full == (try cron("0 1 * * *")))
        #expect(worker.verify == nil, "verify: null turns the tier's verification off")
        #expect(worker.rpo == .minutes(15) && worker.timeZone == utc)

        let reports = try config.tier(for: config.service(named: "reports"))
        #expect(reports.name == "tier-3-standard")
        #expect(reports.drill == (try cron("0 0 1 * *")))
        #expect(reports.verify == (try cron("0 0 * * 0")))

        let plain = try config.service(named: "plain")
        #expect(plain.overrides.isEmpty, "null is absent for the fields without an off state")
        #expect(try config.tier(for: plain) == config.tier(named: "tier-2-important"))
    }

    @Test("TierOverrides keeps what is nil, turns off what is .some(nil) and replaces keep whole")
    func applied() throws {
        let tier = Tier.defaults[0]
        #expect(TierOverrides().applied(to: tier) == tier)
        let changed = TierOverrides(keep: KeepPolicy(weekly: 4), verify: .some(nil), drill: .some(try cron("yearly")))
            .applied(to: tier)
        #expect(changed.keep == KeepPolicy(weekly: 4))
        #expect(changed.verify == nil)
        #expect(changed.drill == (try cron("0 0 1 1 *")))
        #expect(changed.rto == tier.rto && changed.incremental == tier.incremental && changed.name == tier.name)
    }

    @Test("tier(for:) of a service naming no configured tier is a usage error")
    func unknownTier() throws {
        let config = LifeboatConfig(filePath: configPath, repository: "/r", catalog: "/c", services: [])
        let service = Service(name: "x", tier: "tier-1-critcal", source: .sqlite(path: "/x.db"))
        let error = #expect(throws: LifeboatError.self) { try config.tier(for: service) }
        #expect(error?.code == .usage)
        #expect(error?.message.contains(#"did you mean "tier-1-critical"?"#) == true)
    }

    @Test("errors in a service's overrides name services.X.field and its line")
    func overrideErrors() {
        func service(_ lines: String) -> String {
            "services:\n  app:\n    tier: tier-2-important\n    source: { type: files, paths: [/a] }\n" + lines
        }
        expectLocated(configError(service("    rpo: 5x\n")), line: 5, keyPath: "services.app.rpo",
                      #"invalid duration "5x": unknown unit "x""#)
        expectLocated(configError(service("    rpo: 0s\n")), line: 5, keyPath: "services.app.rpo", "must be longer than 0s")
        expectLocated(configError(service("    rto: 30\n")), line: 5, keyPath: "services.app.rto", "expected a duration", "got a number")
        expectLocated(configError(service("    incremental: \"61 * * * *\"\n")), line: 5, keyPath: "services.app.incremental",
                      "minute 61 is out of range 0-59")
        expectLocated(configError(service("    verify: sometimes\n")), line: 5, keyPath: "services.app.verify",
                      #"unknown alias "sometimes""#)
        expectLocated(configError(service("    keep: {}\n")), line: 5, keyPath: "services.app.keep", "keep sets no rule")
        expectLocated(configError(service("    keep: { daily: 0 }\n")), line: 5, keyPath: "services.app.keep.daily",
                      "0 is out of range")
        expectLocated(configError(service("    rpoo: 5m\n")), line: 5, keyPath: "services.app.rpoo", #"did you mean "rpo"?"#,
                      "valid keys: tier, source, checks, rto, rpo, full, incremental, keep, verify, drill, timezone")
        expectLocated(configError(service("    time_zone: UTC\n")), line: 5, keyPath: "services.app.time_zone",
                      #"did you mean "timezone"?"#)
    }
}
