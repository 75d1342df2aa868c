import Testing
import LifeboatKit

@Suite("LifeboatConfig errors name the file, line and key path")
struct ConfigErrorTests {
    @Test("a wrong type says what was expected and what was found")
    func wrongType() {
        let message = configError("""
            repository: ./lifeboat-repo
            catalog: ./lifeboat.sqlite
            services:
              app-files:
                source:
                  type: files
                  paths: 42
            """)
        #expect(message == "\(configPath):7: services.app-files.source.paths: expected a list of paths, got a number (e.g. paths: [/srv/app])")
        expectLocated(configError("tiers:\n  tier-1-critical:\n    rto: 3600\n"), line: 3, keyPath: "tiers.tier-1-critical.rto",
                      "expected a duration such as 30s, 5m, 1h, 7d, 2w or 1h30m, got a number (e.g. rto: 1h)")
        expectLocated(configError("services:\n  a:\n    source: { type: files, paths: [/a, yes] }\n"), line: 3,
                      keyPath: "services.a.source.paths[1]", "expected a path, got a boolean (yes)")
        expectLocated(configError("- repository: x\n"), line: 1, keyPath: "top level", "expected a mapping of settings", "got a list")
        expectLocated(configError("services: [a, b]\n"), line: 1, keyPath: "services", "expected a mapping of service names")
    }

    @Test("an unknown key lists the valid keys and suggests the closest")
    func unknownKeys() {
        expectLocated(configError("repository: /r\nservics:\n  a: {}\n"), line: 2, keyPath: "servics",
                      #"unknown key; did you mean "services"? (valid keys: repository, s3, passphrase_file, repositories, catalog, compression, tiers, services, group_access)"#)
        expectLocated(configError("tiers:\n  tier-1-critical:\n    rto: 1h\n    rpoo: 5m\n"), line: 4,
                      keyPath: "tiers.tier-1-critical.rpoo", #"did you mean "rpo"?"#, "valid keys: rto, rpo, full, incremental, keep, verify, drill")
        expectLocated(configError("services:\n  a:\n    source: { type: files, paths: [/a], excludes: [x] }\n"), line: 3,
                      keyPath: "services.a.source.excludes", #"did you mean "exclude"?"#, "valid keys: type, paths, exclude")
        let far = configError("colour: blue\n")
        expectLocated(far, line: 1, keyPath: "colour", "unknown key; (valid keys:")
        #expect(!far.contains("did you mean"))
    }

    @Test("invalid durations, counts and cron expressions carry their place")
    func invalidValues() {
        expectLocated(configError("tiers:\n  tier-2-important: { rto: 5x }\n"), line: 2, keyPath: "tiers.tier-2-important.rto",
                      #"invalid duration "5x": unknown unit "x""#, "1h30m")
        expectLocated(configError("tiers:\n  tier-2-important: { rpo: 0s }\n"), line: 2, keyPath: "tiers.tier-2-important.rpo",
                      "must be longer than 0s")
        expectLocated(configError("services:\n  a:\n    source: { type: files, paths: [/a] }\n    rpo: 106751991167300d\n"), line: 4,
                      keyPath: "services.a.rpo", #"invalid duration "106751991167300d": it is longer than 100 years"#)
        expectLocated(configError("tiers:\n  tier-3-standard:\n    keep: { within: 40000d }\n"), line: 3,
                      keyPath: "tiers.tier-3-standard.keep.within", "longer than 100 years")
        expectLocated(configError("tiers:\n  tier-3-standard:\n    full: \"0 25 * * *\"\n"), line: 3, keyPath: "tiers.tier-3-standard.full",
                      "hour 25 is out of range 0-23", "minute hour day-of-month month day-of-week")
        expectLocated(configError("tiers:\n  tier-3-standard:\n    keep: { daily: 0 }\n"), line: 3, keyPath: "tiers.tier-3-standard.keep.daily",
                      "0 is out of range: expected a count of at least 1")
        expectLocated(configError("tiers:\n  tier-3-standard:\n    keep: {}\n"), line: 3, keyPath: "tiers.tier-3-standard.keep",
                      "keep sets no rule", "last, hourly, daily, weekly, monthly, yearly, within")
        expectLocated(configError("tiers:\n  gold:\n    rto: 1h\n    rpo: 5m\n    full: daily\n"), line: 2, keyPath: "tiers.gold",
                      #"missing key "incremental""#)
    }

    @Test("YAML syntax errors become file:line errors")
    func syntax() {
        expectLocated(configError("tiers:\n  tier-1-critical:\n    incremental: */5 * * * *\n"), line: 3,
                      keyPath: "tiers.tier-1-critical.incremental", "invalid YAML", "quote values that start with *")
        expectLocated(configError("services:\n  a:\n    tier: [x\n"), line: 4, keyPath: "services.a.tier", "invalid YAML")
        // The key path of text that does not parse is read from the indentation: an approximation.
        expectLocated(configError("repository: a\n  catalog: b\n"), line: 2, keyPath: "repository.catalog",
                      "invalid YAML: mapping values are not allowed in this context")
    }

    @Test("a service or tier defined twice is an error at the second definition")
    func duplicates() {
        let message = configError("""
            services:
              app:
                source: { type: files, paths: [/a] }
              app:
                source: { type: files, paths: [/b] }
            """)
        expectLocated(message, line: 4, keyPath: "services.app", #"duplicate key "app" (first defined at line 2)"#)
        expectLocated(configError("tiers:\n  t1: { rto: 1h }\n  t1: { rto: 2h }\n"), line: 3, keyPath: "tiers.t1", "duplicate key")
        expectLocated(configError("services: { a: 1, a: 2 }\n"), line: 1, keyPath: "services", #"duplicate key "a""#)
    }

    @Test("unknown source types get a suggestion")
    func sourceTypes() {
        expectLocated(configError("services:\n  db:\n    source: { type: postgre, dsn: \"dbname=orders\" }\n"), line: 3,
                      keyPath: "services.db.source.type", #"unknown source type "postgre"; did you mean "postgres"?"#,
                      "(supported: files, sqlite, command, postgres)")
        expectLocated(configError("services:\n  db:\n    source: { type: sqlit, path: /a.db }\n"), line: 3,
                      keyPath: "services.db.source.type", #"unknown source type "sqlit"; did you mean "sqlite"?"#)
        expectLocated(configError("services:\n  db:\n    source: { type: file, paths: [/a] }\n"), line: 3,
                      keyPath: "services.db.source.type", #"unknown source type "file"; did you mean "files"?"#)
        expectLocated(configError("services:\n  db:\n    source: { paths: [/a] }\n"), line: 3,
                      keyPath: "services.db.source", #"missing key "type""#)
        expectLocated(configError("services:\n  db:\n    tier: tier-1-critical\n"), line: 2, keyPath: "services.db", #"missing key "source""#)
    }

    @Test("service names must be usable as folder names; tiers must exist")
    func namesAndTiers() {
        expectLocated(configError("services:\n  my app:\n    source: { type: files, paths: [/a] }\n"), line: 2,
                      keyPath: "services.my app", "invalid service name")
        expectLocated(configError("services:\n  .hidden:\n    source: { type: files, paths: [/a] }\n"), line: 2,
                      keyPath: "services..hidden", "invalid service name")
        expectLocated(configError("services:\n  a:\n    tier: tier-1-critcal\n    source: { type: files, paths: [/a] }\n"), line: 3,
                      keyPath: "services.a.tier", #"unknown tier "tier-1-critcal"; did you mean "tier-1-critical"?"#,
                      "known tiers: tier-1-critical, tier-2-important, tier-3-standard")
    }

    @Test("paths must not be /, repeat, or nest inside one another")
    func paths() {
        func source(_ paths: String) -> String { "services:\n  a:\n    source:\n      type: files\n      paths: \(paths)\n" }
        expectLocated(configError(source("[/]")), line: 5, keyPath: "services.a.source.paths[0]", #"backing up "/" itself is refused"#)
        expectLocated(configError(source("[/etc/..]")), line: 5, keyPath: "services.a.source.paths[0]", #"backing up "/""#)
        expectLocated(configError(source("[/srv/app, /srv/app/]")), line: 5, keyPath: "services.a.source.paths[1]",
                      "/srv/app repeats services.a.source.paths[0] (/srv/app)")
        expectLocated(configError(source("[/srv, /srv/app/data]")), line: 5, keyPath: "services.a.source.paths[1]",
                      "/srv/app/data lies inside services.a.source.paths[0] (/srv)", "use exclude")
        expectLocated(configError(source("[/etc/lifeboat/data, ./]")), line: 5, keyPath: "services.a.source.paths[1]",
                      "/etc/lifeboat contains services.a.source.paths[0] (/etc/lifeboat/data)")
        expectLocated(configError(source("[]")), line: 5, keyPath: "services.a.source.paths", "the list is empty")
        expectLocated(configError(source("[~/docs]")), line: 5, keyPath: "services.a.source.paths[0]", #""~" is not expanded"#)
    }

    @Test("repository, catalog and compression are checked")
    func topLevelValues() {
        expectLocated(configError("catalog: x\nrepository: ftp://host/backups\n"), line: 2, keyPath: "repository",
                      #""ftp://" repositories are not supported"#, "s3://bucket/prefix")
        expectLocated(configError("repository: s3://Bad_Bucket/x\n"), line: 1, keyPath: "repository", "s3://")
        expectLocated(configError("repository: s3://backups/x\ns3:\n  endpoint: minio:9000\n"), line: 3, keyPath: "s3.endpoint",
                      "expected an http:// or https:// URL")
        expectLocated(configError("s3:\n  regin: eu\n"), line: 2, keyPath: "s3.regin", #"did you mean "region"?"#)
        expectLocated(configError("repositories:\n  offsite: { s3: { region: eu-west-1 } }\n"), line: 2, keyPath: "repositories.offsite",
                      "url")
        expectLocated(configError("repositories:\n  offsite: { url: /mnt/x }\ntiers:\n  tier-1-critical: { copy_to: [ofsite] }\n"), line: 4,
                      keyPath: "tiers.tier-1-critical.copy_to[0]", #"unknown repository "ofsite"; did you mean "offsite"?"#)
        expectLocated(configError("repository: /srv/repo\nrepositories:\n  copy: { url: /srv/repo }\n"), line: 3,
                      keyPath: "repositories.copy.url", "this is the main repository")
        expectLocated(configError("compression: 22\n"), line: 1, keyPath: "compression", "22 is out of range", "from 1 to 19")
        expectLocated(configError("compression: fast\n"), line: 1, keyPath: "compression", "got a string",
                      "compression: 3 or compression: { level: 3 }")
        expectLocated(configError("compression:\n  lvl: 3\n"), line: 2, keyPath: "compression.lvl", #"did you mean "level"?"#)
        expectLocated(configError("catalog: 12\n"), line: 1, keyPath: "catalog", "expected a path, got a number")
    }
}
