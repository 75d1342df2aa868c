import Testing
import LifeboatKit

@Suite("postgres sources")
struct ConfigPostgresTests {
    func source(_ yaml: String) throws -> Source {
        try LifeboatConfig.parse(yaml: "services:\n  s:\n    source: \(yaml)\n", path: configPath).services[0].source
    }

    @Test("dsn and data_directory, with an optional password file or environment variable")
    func parses() throws {
        #expect(try source(#"{ type: postgres, dsn: "host=/var/run/postgresql port=5432 user=postgres", data_directory: /var/lib/postgresql/15/main, password_file: /etc/lifeboat/pg.pass }"#)
            == .postgres(dsn: "host=/var/run/postgresql port=5432 user=postgres", dataDirectory: "/var/lib/postgresql/15/main",
                         passwordFile: "/etc/lifeboat/pg.pass", passwordEnvironment: nil))
        #expect(try source(#"{ type: postgres, dsn: "dbname=orders", data_directory: ./pg/data/, password_env: PGPASS_ORDERS }"#)
            == .postgres(dsn: "dbname=orders", dataDirectory: "/etc/lifeboat/pg/data", passwordFile: nil, passwordEnvironment: "PGPASS_ORDERS"))
        let parsed = try source(#"{ type: postgres, dsn: "dbname=orders", data_directory: /srv/pg }"#)
        #expect(parsed.paths == ["/srv/pg"])
    }

    @Test("string checks are SQL for postgres services; sql checks with expect are allowed")
    func checks() throws {
        let yaml = """
            services:
              db:
                source: { type: postgres, dsn: "dbname=orders", data_directory: /srv/pg }
                checks: ["SELECT count(*) FROM orders", { sql: "SELECT 1", expect: 1, name: one }, { run: "true" }]
            """
        let checks = try LifeboatConfig.parse(yaml: yaml, path: configPath).services[0].checks
        #expect(checks == [CheckSpec(kind: .sql("SELECT count(*) FROM orders", expect: nil)),
                           CheckSpec(kind: .sql("SELECT 1", expect: "1"), name: "one"), CheckSpec(kind: .command("true"))])
    }

    @Test("errors name the file, line and key path; a password in the DSN is refused")
    func errors() {
        func error(_ source: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
            configError("services:\n  db:\n    source: \(source)\n", sourceLocation: sourceLocation)
        }
        expectLocated(error(#"{ type: postgres, dsn: "host=/run user=app password=hunter2", data_directory: /srv/pg }"#), line: 3,
                      keyPath: "services.db.source.dsn", "holds a password", "password_file", "password_env")
        expectLocated(error(#"{ type: postgres, dsn: "postgresql://app:hunter2@db/orders", data_directory: /srv/pg }"#), line: 3,
                      keyPath: "services.db.source.dsn", "holds a password")
        #expect(!error(#"{ type: postgres, dsn: "password=hunter2", data_directory: /srv/pg }"#).contains("hunter2"))
        expectLocated(error(#"{ type: postgres, data_directory: /srv/pg }"#), line: 3, keyPath: "services.db.source", #"missing key "dsn""#)
        expectLocated(error(#"{ type: postgres, dsn: "dbname=x" }"#), line: 3, keyPath: "services.db.source", #"missing key "data_directory""#)
        expectLocated(error(#"{ type: postgres, dsn: "dbname=x", data_directory: / }"#), line: 3,
                      keyPath: "services.db.source.data_directory", "cannot be \"/\"")
        expectLocated(error(#"{ type: postgres, dsn: "", data_directory: /srv/pg }"#), line: 3,
                      keyPath: "services.db.source.dsn", "empty")
        expectLocated(error(#"{ type: postgres, dsn: "dbname=x", data_directory: /srv/pg, password_env: "1BAD" }"#), line: 3,
                      keyPath: "services.db.source.password_env", "not an environment variable name")
        expectLocated(error(#"{ type: postgres, dsn: "dbname=x", data_directory: /srv/pg, password_file: /p, password_env: P }"#), line: 3,
                      keyPath: "services.db.source.password_env", "either password_file or password_env")
        expectLocated(error(#"{ type: postgres, dsn: "dbname=x", data_directory: /srv/pg, password: x }"#), line: 3,
                      keyPath: "services.db.source.password", "unknown key", "password_env")
    }
}
