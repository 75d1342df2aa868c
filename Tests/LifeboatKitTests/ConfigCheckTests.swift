import Testing
import LifeboatKit

@Suite("A service's checks")
struct ConfigCheckTests {
    /// The checks of the one service `app`, whose source is `source` and whose `checks:` is `checks`.
    func checks(_ checks: String, source: String = "{ type: files, paths: [/srv/app] }") throws -> [CheckSpec] {
        let yaml = "services:\n  app:\n    source: \(source)\n    checks: \(checks)\n"
        return try LifeboatConfig.parse(yaml: yaml, path: configPath).services[0].checks
    }

    static let sqlite = "{ type: sqlite, path: /var/lib/app/app.db }"
    static let command = "{ type: command, run: [pg_dumpall], output: /var/backups/pg.sql }"

    /// The error for `checks:` written as `checks` (after `checks:` on line 4) under a `source` source.
    func checksError(_ checks: String, source: String = "{ type: files, paths: [/srv/app] }",
                     sourceLocation: SourceLocation = #_sourceLocation) -> String {
        configError("services:\n  app:\n    source: \(source)\n    checks: \(checks)\n", sourceLocation: sourceLocation)
    }

    @Test("no checks: absent, null or an empty list")
    func none() throws {
        let config = try LifeboatConfig.parse(yaml: "services:\n  app:\n    source: { type: files, paths: [/a] }\n",
                                              path: configPath)
        #expect(config.services[0].checks.isEmpty)
        #expect(try checks("null").isEmpty)
        #expect(try checks("[]").isEmpty)
        #expect(Service(name: "a", source: .files(paths: ["/a"], exclude: [])).checks.isEmpty)
    }

    @Test("a string is a shell command for files and command sources, with the default timeout and its text as name")
    func stringCommands() throws {
        let index = "test -s $LIFEBOAT_TARGET/srv/app/index.html"
        let expected = [CheckSpec(kind: .command(index)), CheckSpec(kind: .command("true"))]
        #expect(try checks(#"["\#(index)", "true"]"#) == expected)
        #expect(try checks(#"["\#(index)", "true"]"#, source: Self.command) == expected)
        let check = try checks(#"["\#(index)"]"#)[0]
        #expect(check.timeout == CheckSpec.defaultTimeout && check.timeout == .minutes(5))
        #expect(check.name == index)
        // A long command is shortened for its name, not in what runs.
        let long = "grep -q ready " + String(repeating: "x", count: 80)
        let longCheck = try checks(#"["\#(long)"]"#)[0]
        #expect(longCheck.kind == .command(long))
        #expect(longCheck.name == String(long.prefix(57)) + "...")
    }

    @Test("a string is a SQL query without an expected result for sqlite sources")
    func stringQueries() throws {
        #expect(try checks(#"["SELECT count(*) FROM orders", "PRAGMA quick_check"]"#, source: Self.sqlite) == [
            CheckSpec(kind: .sql("SELECT count(*) FROM orders", expect: nil)),
            CheckSpec(kind: .sql("PRAGMA quick_check", expect: nil)),
        ])
    }

    @Test("a run mapping is a command, for every source; only run is required")
    func runMappings() throws {
        let index = "test -s $LIFEBOAT_TARGET/srv/app/index.html"
        let full = CheckSpec(kind: .command(index), timeout: .seconds(30), name: "index page")
        for source in ["{ type: files, paths: [/srv/app] }", Self.sqlite, Self.command] {
            #expect(try checks(#"[{ run: "\#(index)", timeout: 30s, name: index page }]"#, source: source) == [full])
        }
        #expect(try checks(#"[{ run: "\#(index)" }]"#) == [CheckSpec(kind: .command(index))])
        // null counts as absent for timeout and name.
        #expect(try checks(#"[{ run: "\#(index)", timeout: null, name: ~ }]"#) == [CheckSpec(kind: .command(index))])
    }

    @Test("an sql mapping is a query with an optional expected result (text or a number, as written)")
    func sqlMappings() throws {
        let query = "SELECT count(*) FROM orders"
        #expect(try checks(#"[{ sql: "\#(query)", expect: "42", timeout: 10s, name: orders }]"#, source: Self.sqlite)
            == [CheckSpec(kind: .sql(query, expect: "42"), timeout: .seconds(10), name: "orders")])
        #expect(try checks(#"[{ sql: "\#(query)" }]"#, source: Self.sqlite) == [CheckSpec(kind: .sql(query, expect: nil))])
        #expect(try checks(#"[{ sql: "\#(query)", expect: 42 }, { sql: "SELECT avg(total) FROM orders", expect: 3.50 }]"#,
                           source: Self.sqlite).map(\.kind)
            == [.sql(query, expect: "42"), .sql("SELECT avg(total) FROM orders", expect: "3.50")])
        #expect(try checks(#"[{ sql: "SELECT id, state FROM jobs LIMIT 1", expect: "1|done" }, { sql: "\#(query)", expect: null }]"#,
                           source: Self.sqlite).map(\.kind)
            == [.sql("SELECT id, state FROM jobs LIMIT 1", expect: "1|done"), .sql(query, expect: nil)])
    }

    @Test("the forms mix in one list, block style included, in file order")
    func mixed() throws {
        let config = try LifeboatConfig.parse(yaml: """
            services:
              db:
                source: { type: sqlite, path: ./app.db }
                checks:
                  - PRAGMA integrity_check
                  - sql: SELECT count(*) FROM orders
                    expect: 42
                    name: orders
                  - run: sqlite3 "$LIFEBOAT_TARGET/etc/lifeboat/app.db" .tables
                    timeout: 1m30s
            """, path: configPath)
        #expect(config.services[0].checks == [
            CheckSpec(kind: .sql("PRAGMA integrity_check", expect: nil)),
            CheckSpec(kind: .sql("SELECT count(*) FROM orders", expect: "42"), name: "orders"),
            CheckSpec(kind: .command(#"sqlite3 "$LIFEBOAT_TARGET/etc/lifeboat/app.db" .tables"#), timeout: .seconds(90)),
        ])
    }

    @Test("checks must be a list of strings or mappings")
    func wrongTypes() {
        expectLocated(checksError(#""test -s /srv/app/index.html""#), line: 4, keyPath: "services.app.checks",
                      "expected a list of checks, got a string", #"checks: ["test -s $LIFEBOAT_TARGET/srv/app/index.html"]"#)
        expectLocated(checksError("{ run: true }"), line: 4, keyPath: "services.app.checks", "expected a list of checks, got a mapping")
        expectLocated(checksError("[true, 42]"), line: 4, keyPath: "services.app.checks[0]",
                      "expected a check: a shell command (text), or a mapping with run, got a boolean (true)",
                      "{ run: \"test -s $LIFEBOAT_TARGET/srv/app/index.html\", timeout: 30s, name: index page }")
        expectLocated(checksError("[\"true\", 42]"), line: 4, keyPath: "services.app.checks[1]", "got a number")
        expectLocated(checksError("[~]", source: Self.sqlite), line: 4, keyPath: "services.app.checks[0]",
                      "expected a check: a SQL query (text), or a mapping with sql or run, got nothing (null)",
                      #"{ sql: "SELECT count(*) FROM orders", expect: "42", timeout: 10s, name: orders }"#)
        expectLocated(checksError("[[test, -s, /a]]"), line: 4, keyPath: "services.app.checks[0]", "got a list")
    }

    @Test("empty checks, commands, queries, names and expected results are refused")
    func empty() {
        expectLocated(checksError(#"["true", ""]"#), line: 4, keyPath: "services.app.checks[1]",
                      "the check is empty; write a shell command")
        expectLocated(checksError(#"["  "]"#, source: Self.sqlite), line: 4, keyPath: "services.app.checks[0]",
                      "the check is empty; write a SQL query", #"checks: ["SELECT count(*) FROM orders"]"#)
        expectLocated(checksError(#"[{ run: "" }]"#), line: 4, keyPath: "services.app.checks[0].run",
                      "the command is empty", "run: \"test -s")
        expectLocated(checksError(#"[{ sql: " " }]"#, source: Self.sqlite), line: 4, keyPath: "services.app.checks[0].sql",
                      "the query is empty", #"sql: "SELECT count(*) FROM orders""#)
        expectLocated(checksError(#"[{ run: "true", name: "" }]"#), line: 4, keyPath: "services.app.checks[0].name",
                      "the name is empty")
        expectLocated(checksError(#"[{ sql: "SELECT 1", expect: "" }]"#, source: Self.sqlite), line: 4,
                      keyPath: "services.app.checks[0].expect", "expect is empty", "in the query instead")
    }

    @Test("a check mapping names run or sql, not both and not neither, and no unknown key")
    func keys() {
        expectLocated(checksError(#"[{ run: "true", timout: 30s }]"#), line: 4, keyPath: "services.app.checks[0].timout",
                      #"unknown key; did you mean "timeout"? (valid keys: run, sql, expect, timeout, name)"#)
        expectLocated(checksError(#"[{ cmd: "true" }]"#), line: 4, keyPath: "services.app.checks[0].cmd",
                      "unknown key; (valid keys: run, sql, expect, timeout, name)")
        expectLocated(checksError(#"[{ run: "true", sql: "SELECT 1" }]"#, source: Self.sqlite), line: 4,
                      keyPath: "services.app.checks[0]", "either run (a shell command) or sql (a SQL query), not both",
                      "write two checks, one with each")
        expectLocated(checksError("[{ timeout: 30s }]"), line: 4, keyPath: "services.app.checks[0]",
                      #"missing key "run": a check mapping runs a shell command (run)"#, "e.g. { run: ")
        expectLocated(checksError("[{}]", source: Self.sqlite), line: 4, keyPath: "services.app.checks[0]",
                      #"missing key "sql" or "run""#, "e.g. { sql: ")
        expectLocated(checksError(#"[{ run: "true", expect: "0" }]"#), line: 4, keyPath: "services.app.checks[0].expect",
                      "expect applies only to sql checks", "exits 0")
    }

    @Test("sql checks need a sqlite or postgres source")
    func sqlNeedsSQLite() {
        expectLocated(checksError(#"[{ sql: "SELECT count(*) FROM orders" }]"#), line: 4, keyPath: "services.app.checks[0].sql",
                      "sql checks need a sqlite source or a postgres source, and this service's source is files", "use run for a shell command")
        expectLocated(checksError(#"["true", { sql: "SELECT 1", expect: 1 }]"#, source: Self.command), line: 4,
                      keyPath: "services.app.checks[1].sql", "sql checks need a sqlite source", "source is command")
    }

    @Test("wrong value types inside a check mapping")
    func valueTypes() {
        expectLocated(checksError("[{ run: 42 }]"), line: 4, keyPath: "services.app.checks[0].run",
                      "expected a shell command (text, run by sh -c), got a number")
        expectLocated(checksError("[{ run: [test, -s, /a] }]"), line: 4, keyPath: "services.app.checks[0].run", "got a list")
        expectLocated(checksError("[{ run: null }]"), line: 4, keyPath: "services.app.checks[0].run", "got nothing (null)")
        expectLocated(checksError("[{ sql: 1 }]", source: Self.sqlite), line: 4, keyPath: "services.app.checks[0].sql",
                      "expected a SQL query (text), got a number")
        expectLocated(checksError(#"[{ sql: "SELECT 1", expect: yes }]"#, source: Self.sqlite), line: 4,
                      keyPath: "services.app.checks[0].expect", "expected text or a number to compare with the first row",
                      "got a boolean (yes)", #"expect: "42""#)
        expectLocated(checksError(#"[{ sql: "SELECT 1", expect: [1] }]"#, source: Self.sqlite), line: 4,
                      keyPath: "services.app.checks[0].expect", "got a list")
        expectLocated(checksError(#"[{ run: "true", name: 5 }]"#), line: 4, keyPath: "services.app.checks[0].name",
                      "expected a short name (text), got a number")
    }

    @Test("bad timeouts name the check's timeout and its line")
    func timeouts() {
        func block(_ timeout: String) -> String {
            """
            services:
              app:
                source: { type: files, paths: [/srv/app] }
                checks:
                  - "true"
                  - run: test -s $LIFEBOAT_TARGET/srv/app/index.html
                    timeout: \(timeout)
            """
        }
        expectLocated(configError(block("5x")), line: 7, keyPath: "services.app.checks[1].timeout",
                      #"invalid duration "5x": unknown unit "x""#, "30s, 5m, 1h")
        expectLocated(configError(block("0s")), line: 7, keyPath: "services.app.checks[1].timeout",
                      "must be longer than 0s (e.g. timeout: 30s)")
        expectLocated(configError(block("30")), line: 7, keyPath: "services.app.checks[1].timeout",
                      "expected a duration", "got a number")
        expectLocated(checksError(#"[{ sql: "SELECT 1", timeout: soon }]"#, source: Self.sqlite), line: 4,
                      keyPath: "services.app.checks[0].timeout", #"invalid duration "soon""#)
    }

    @Test("errors in block-style checks point at their own lines")
    func blockLines() {
        let yaml = """
            services:
              app:
                source: { type: files, paths: [/srv/app] }
                checks:
                  - "true"
                  - run: "true"
                    sql: SELECT 1
                  - name: orphan
            """
        expectLocated(configError(yaml), line: 6, keyPath: "services.app.checks[1]", "not both")
        let sqlOnFiles = """
            services:
              app:
                source: { type: files, paths: [/srv/app] }
                checks:
                  - name: orders
                    sql: SELECT count(*) FROM orders
            """
        expectLocated(configError(sqlOnFiles), line: 6, keyPath: "services.app.checks[0].sql", "need a sqlite source")
        let missing = """
            services:
              app:
                source: { type: files, paths: [/srv/app] }
                checks:
                  - "true"
                  - name: orphan
                    timeout: 1m
            """
        expectLocated(configError(missing), line: 6, keyPath: "services.app.checks[1]", #"missing key "run""#)
    }
}
