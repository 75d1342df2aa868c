import Testing
import LifeboatKit

@Suite("Policy warnings: can the incremental cadence meet the RPO?")
struct ConfigPolicyWarningTests {
    func config(_ yaml: String) throws -> LifeboatConfig {
        try LifeboatConfig.parse(yaml: yaml, path: configPath)
    }

    static let source = "source: { type: files, paths: [/srv/app] }"

    @Test("the built-in tiers meet their own RPOs with headroom: a backup that takes a minute or two warns of nothing")
    func defaults() throws {
        let config = try config("""
            services:
              a: { tier: tier-1-critical, \(Self.source) }
              b: { tier: tier-2-important, \(Self.source) }
              c: { \(Self.source) }
            """)
        #expect(config.policyWarnings().isEmpty)
        #expect(config.policyWarnings(measuredDurations: ["a": .minutes(2), "b": .minutes(5), "c": .minutes(30), "nobody": .days(1)]).isEmpty)
        #expect(config.policyWarnings(measuredDurations: ["a": .minutes(4)]) == [
            "service a: incrementals every 2m plus its measured backup duration of 4m cannot meet its RPO of 5m; "
                + "run them at least every 1m, make the backup faster, or raise the RPO",
        ])
    }

    @Test("an interval longer than the RPO is a warning naming the service, the interval and the RPO")
    func intervalTooLong() throws {
        let config = try config("""
            tiers:
              tier-3-standard: { rpo: 15m, incremental: hourly }
              nightly: { rto: 1d, rpo: 1d, full: weekly, incremental: "0 2 * * *" }
            services:
              app: { \(Self.source) }
              fast: { \(Self.source), incremental: "*/15 * * * *" }
              db: { tier: nightly, \(Self.source), rpo: 12h }
              files: { tier: nightly, \(Self.source) }
            """)
        #expect(config.policyWarnings() == [
            "service app: incrementals every 1h cannot meet its RPO of 15m; run them at least every 15m, or raise the RPO",
            "service db: incrementals every 1d cannot meet its RPO of 12h; run them at least every 12h, or raise the RPO",
        ])
    }

    @Test("a measured backup duration counts against the RPO; an interval plus duration equal to it is enough")
    func measuredDurations() throws {
        let config = try config("""
            services:
              app: { tier: tier-2-important, \(Self.source), rpo: 30m, incremental: "*/15 * * * *" }
            """)
        #expect(config.policyWarnings(measuredDurations: ["app": .minutes(15)]).isEmpty)
        #expect(config.policyWarnings(measuredDurations: ["app": .minutes(20)]) == [
            "service app: incrementals every 15m plus its measured backup duration of 20m cannot meet its RPO of 30m; "
                + "run them at least every 10m, make the backup faster, or raise the RPO",
        ])
        #expect(config.policyWarnings(measuredDurations: ["app": .minutes(45)]) == [
            "service app: incrementals every 15m plus its measured backup duration of 45m cannot meet its RPO of 30m; "
                + "the backup alone takes at least as long as the RPO, so make it faster or raise the RPO",
        ])
        // An interval already too long is reported as such, without the duration.
        #expect(try self.config("services:\n  app: { \(Self.source), rpo: 30m, incremental: hourly }\n")
            .policyWarnings(measuredDurations: ["app": .minutes(1)]) == [
                "service app: incrementals every 1h cannot meet its RPO of 30m; run them at least every 30m, or raise the RPO",
            ])
    }

    @Test("irregular schedules are judged by their longest gap, on the tier's wall clock")
    func newYork() throws {
        let config = try config("""
            tiers:
              office:
                rto: 4h
                rpo: 1d
                full: "0 20 * * fri"
                incremental: "0 9-17 * * mon-fri"
                timezone: America/New_York
              hourly: { rto: 4h, rpo: 1h, full: daily, incremental: hourly, timezone: America/New_York }
            services:
              crm: { tier: office, \(Self.source) }
              shop: { tier: hourly, \(Self.source) }
              daily: { tier: office, \(Self.source), rpo: 16h, incremental: "0 9-17 * * *" }
            """)
        #expect(try config.tier(for: config.service(named: "daily")).timeZone.identifier == "America/New_York")
        let crm = "service crm: incrementals up to 2d16h apart cannot meet its RPO of 1d; run them at least every 1d, or raise the RPO"
        // Hourly in New York meets a 1h RPO: the reference fortnight has no daylight-saving change.
        #expect(config.policyWarnings() == [crm])
        #expect(config.policyWarnings(measuredDurations: ["shop": .minutes(5), "daily": .minutes(1)]) == [
            crm,
            "service shop: incrementals every 1h plus its measured backup duration of 5m cannot meet its RPO of 1h; "
                + "run them at least every 55m, make the backup faster, or raise the RPO",
            "service daily: incrementals up to 16h apart plus its measured backup duration of 1m cannot meet its RPO of 16h; "
                + "run them at least every 15h59m, make the backup faster, or raise the RPO",
        ])
    }

    @Test("sparse schedules still give an interval; a schedule that never runs is reported")
    func sparse() throws {
        // The file cannot name a schedule that never fires (see ConfigWarningTests); a tier built in
        // code can.
        var config = try config("""
            tiers:
              cold: { rto: 1w, rpo: 1w, full: yearly, incremental: monthly }
            services:
              archive: { tier: cold, \(Self.source) }
              never: { tier: cold, \(Self.source) }
            """)
        config.tiers.append(Tier(name: "broken", rto: .days(7), rpo: .days(7), full: try CronExpression(parsing: "yearly"),
                                 incremental: try CronExpression(parsing: "0 0 30 2 *"), keep: .thirtyDays))
        config.services[1].tier = "broken"
        #expect(config.policyWarnings() == [
            "service archive: incrementals every 4w1d cannot meet its RPO of 1w; run them at least every 1w, or raise the RPO",
            #"service never: incrementals never run ("0 0 30 2 *"), so nothing can meet its RPO of 1w; fix the tier's incremental schedule"#,
        ])
    }
}
