import Testing
import LifeboatKit

@Suite("LifeboatConfig parsing")
struct ConfigTests {
    /// DESIGN.md's example, with the postgres source replaced by a files source.
    static let example = """
        repository: ./lifeboat-repo          # or s3://bucket/prefix
        catalog: ./lifeboat.sqlite
        tiers:                               # optional: the three defaults above apply otherwise
          tier-1-critical: { rto: 1h, rpo: 5m, full: "0 2 * * *", incremental: "*/5 * * * *",
                             keep: { daily: 7, weekly: 4, monthly: 12 }, verify: "0 3 * * 1", drill: quarterly }
        services:
          orders-db:
            tier: tier-1-critical
            source: { type: files, paths: [/var/lib/orders/, ./exports, ../shared/./data] }
            checks: [ "SELECT count(*) FROM orders" ]
          app-files:
            tier: tier-3-standard
            source: { type: files, paths: [/srv/app], exclude: ["*.tmp"] }
        """

    @Test("DESIGN.md's example parses with the expected values")
    func designExample() throws {
        let config = try LifeboatConfig.parse(yaml: Self.example, path: configPath)
        #expect(config.filePath == configPath)
        #expect(config.directory == "/etc/lifeboat")
        #expect(config.repository == "/etc/lifeboat/lifeboat-repo")
        #expect(config.catalog == "/etc/lifeboat/lifeboat.sqlite")
        #expect(config.compressionLevel == 3)
        #expect(config.tiers.map(\.name) == ["tier-1-critical", "tier-2-important", "tier-3-standard"])

        let critical = try config.tier(named: "tier-1-critical")
        #expect(critical.rto == .hours(1))
        #expect(critical.rpo == .minutes(5))
        #expect(critical.full == (try CronExpression(parsing: "0 2 * * *")))
        #expect(critical.incremental == (try CronExpression(parsing: "*/5 * * * *")))
        #expect(critical.keep == KeepPolicy(daily: 7, weekly: 4, monthly: 12))
        #expect(critical.verify == (try CronExpression(parsing: "0 3 * * 1")))
        #expect(critical.drill == (try CronExpression(parsing: "0 0 1 1,4,7,10 *")))
        #expect(try config.tier(named: "tier-2-important") == Tier.defaults[1])

        #expect(config.services.map(\.name) == ["orders-db", "app-files"])
        let orders = try config.service(named: "orders-db")
        #expect(orders.tier == "tier-1-critical")
        #expect(orders.source == .files(paths: ["/var/lib/orders", "/etc/lifeboat/exports", "/etc/shared/data"], exclude: []))
        // A string check of a files source is a shell command, whatever it looks like.
        #expect(orders.checks == [CheckSpec(kind: .command("SELECT count(*) FROM orders"))])
        let app = try config.service(named: "app-files")
        #expect(app == Service(name: "app-files", tier: "tier-3-standard", source: .files(paths: ["/srv/app"], exclude: ["*.tmp"])))
    }

    @Test("the built-in tiers: DESIGN.md's targets, incrementals well inside the RPO, weekly verification for every tier")
    func defaults() throws {
        let tiers = Tier.defaults
        #expect(tiers.map(\.name) == ["tier-1-critical", "tier-2-important", "tier-3-standard"])
        #expect(tiers.map(\.rto) == [.hours(1), .hours(4), .hours(24)])
        #expect(tiers.map(\.rpo) == [.minutes(5), .minutes(15), .hours(1)])
        #expect(tiers.map(\.full.description) == ["0 2 * * *", "0 2 * * *", "0 2 * * 0"])
        #expect(tiers.map(\.incremental.description) == ["*/2 * * * *", "*/5 * * * *", "*/15 * * * *"])
        #expect(tiers.allSatisfy { $0.keep == KeepPolicy(daily: 30, within: .days(30)) })
        #expect(tiers.allSatisfy { $0.verify == (try? CronExpression(parsing: "weekly")) })
        #expect(tiers[0].drill == (try CronExpression(parsing: "quarterly")))
        #expect(tiers[1].drill == nil && tiers[2].drill == nil)
    }

    @Test("an empty file gives the defaults, relative to the file's folder")
    func emptyFile() throws {
        for yaml in ["", "# nothing yet\n", "tiers:\nservices:\n"] {
            let config = try LifeboatConfig.parse(yaml: yaml, path: "/srv/backup/lifeboat.yaml")
            #expect(config.repository == "/srv/backup/lifeboat-repo")
            #expect(config.catalog == "/srv/backup/lifeboat.sqlite")
            #expect(config.compressionLevel == 3)
            #expect(config.tiers == Tier.defaults)
            #expect(config.services.isEmpty)
        }
    }

    @Test("a built-in tier changes only the fields set; new tiers follow in file order")
    func tierOverrides() throws {
        let config = try LifeboatConfig.parse(yaml: """
            tiers:
              tier-z-archive: { rto: 2d, rpo: 1d, full: "0 4 1 * *", incremental: daily }
              tier-2-important:
                rpo: 10m
                verify: "0 5 * * sat"
              tier-1-critical: { drill: null }
              tier-a-cold:
                rto: 1w
                rpo: 1w
                full: monthly
                incremental: weekly
                keep: { last: 3, within: 90d }
            compression: { level: 19 }
            """, path: configPath)
        #expect(config.tiers.map(\.name) == ["tier-1-critical", "tier-2-important", "tier-3-standard", "tier-z-archive", "tier-a-cold"])
        var expected = Tier.defaults[1]
        expected.rpo = .minutes(10)
        expected.verify = try CronExpression(parsing: "0 5 * * 6")
        #expect(config.tiers[1] == expected)
        #expect(config.tiers[0].drill == nil && config.tiers[0].verify != nil)
        #expect(config.tiers[3].keep == .thirtyDays)
        #expect(config.tiers[3].verify == nil)
        #expect(config.tiers[4].keep == KeepPolicy(last: 3, within: .days(90)))
        #expect(config.compressionLevel == 19)
    }

    @Test("a service without a tier gets tier-3-standard; absolute paths stay as written")
    func serviceDefaults() throws {
        let config = try LifeboatConfig.parse(yaml: """
            repository: /var/backups/lifeboat
            catalog: /var/lib/lifeboat/catalog.sqlite
            compression: 7
            services:
              www.site_1:
                source:
                  type: files
                  paths:
                    - /var/www
                    - /etc/nginx/
            """, path: configPath)
        #expect(config.repository == "/var/backups/lifeboat")
        #expect(config.catalog == "/var/lib/lifeboat/catalog.sqlite")
        #expect(config.compressionLevel == 7)
        let service = try config.service(named: "www.site_1")
        #expect(service.tier == "tier-3-standard")
        #expect(service.source == .files(paths: ["/var/www", "/etc/nginx"], exclude: []))
    }

    @Test("unknown service and tier names are usage errors listing the known ones")
    func lookups() throws {
        let config = try LifeboatConfig.parse(yaml: Self.example, path: configPath)
        let service = #expect(throws: LifeboatError.self) { try config.service(named: "app-file") }
        #expect(service?.code == .usage)
        #expect(service?.message == #"unknown service "app-file"; did you mean "app-files"? (known services: orders-db, app-files)"#)
        let tier = #expect(throws: LifeboatError.self) { try config.tier(named: "gold") }
        #expect(tier?.code == .usage)
        #expect(tier?.message.contains("known tiers: tier-1-critical, tier-2-important, tier-3-standard") == true)
    }
}
