import Testing
import LifeboatKit

@Suite("sqlite and command sources")
struct ConfigSourceTests {
    func source(_ yaml: String) throws -> Source {
        try LifeboatConfig.parse(yaml: "services:\n  s:\n    source: \(yaml)\n", path: configPath).services[0].source
    }

    @Test("the source type names")
    func typeNames() {
        #expect(Source.supportedTypes == ["files", "sqlite", "command", "postgres"])
        #expect(Source.plannedTypes.isEmpty)
        #expect(Source.files(paths: ["/a"], exclude: []).typeName == "files")
        #expect(Source.sqlite(path: "/a.db").typeName == "sqlite")
        #expect(Source.command(arguments: ["true"], output: "/o", timeout: nil).typeName == "command")
        #expect(Source.postgres(dsn: "host=/run", dataDirectory: "/d", passwordFile: nil, passwordEnvironment: nil).typeName == "postgres")
    }

    @Test("a sqlite path is made absolute against the file's folder")
    func sqlite() throws {
        #expect(try source("{ type: sqlite, path: ./data/app.db }") == .sqlite(path: "/etc/lifeboat/data/app.db"))
        #expect(try source("{ type: sqlite, path: /var/lib/app//app.db }") == .sqlite(path: "/var/lib/app/app.db"))
        #expect(try source("{ type: sqlite, path: ../app.db }") == .sqlite(path: "/etc/app.db"))
    }

    @Test("a sqlite path must name a file")
    func sqliteErrors() {
        expectLocated(configError("services:\n  s:\n    source: { type: sqlite, path: / }\n"), line: 3,
                      keyPath: "services.s.source.path", #""/" names a folder, not a file"#, "path: ./data/app.db")
        expectLocated(configError("services:\n  s:\n    source: { type: sqlite, path: ./data/ }\n"), line: 3,
                      keyPath: "services.s.source.path", #""./data/" names a folder"#)
        expectLocated(configError("services:\n  s:\n    source: { type: sqlite, path: /srv/.. }\n"), line: 3,
                      keyPath: "services.s.source.path", "names a folder")
        expectLocated(configError("services:\n  s:\n    source: { type: sqlite, path: ~/app.db }\n"), line: 3,
                      keyPath: "services.s.source.path", #""~" is not expanded"#)
        expectLocated(configError("services:\n  s:\n    source: { type: sqlite, path: \"\" }\n"), line: 3,
                      keyPath: "services.s.source.path", "the path is empty")
        expectLocated(configError("services:\n  s:\n    source:\n      type: sqlite\n      paths: [/a.db]\n"), line: 5,
                      keyPath: "services.s.source.paths", #"unknown key; did you mean "path"? (valid keys: type, path)"#)
        expectLocated(configError("services:\n  s:\n    source:\n      type: sqlite\n"), line: 3,
                      keyPath: "services.s.source", #"missing key "path" (e.g. path: ./data/app.db)"#)
    }

    @Test("a command's run is a list, or one string split on whitespace; output is resolved; timeout is optional")
    func command() throws {
        #expect(try source("""
            { type: command, run: ["pg_dumpall", "-h", "/var/run/postgresql"], output: /var/backups/pg.sql, timeout: 1h }
            """) == .command(arguments: ["pg_dumpall", "-h", "/var/run/postgresql"], output: "/var/backups/pg.sql",
                             timeout: .hours(1)))
        #expect(try source("{ type: command, run: \"pg_dumpall  -h\t/var/run/postgresql \", output: ./dumps/pg.sql }")
            == .command(arguments: ["pg_dumpall", "-h", "/var/run/postgresql"], output: "/etc/lifeboat/dumps/pg.sql",
                        timeout: nil))
        #expect(try source("{ type: command, run: [sh, -c, \"pg_dump 'my db' | gzip\"], output: ../pg.sql.gz, timeout: 1h30m }")
            == .command(arguments: ["sh", "-c", "pg_dump 'my db' | gzip"], output: "/etc/pg.sql.gz", timeout: .minutes(90)))
        // List items are taken as written, whatever YAML type they resolve to.
        #expect(try source("{ type: command, run: [sleep, 5, yes, 0.50], output: /o, timeout: null }")
            == .command(arguments: ["sleep", "5", "yes", "0.50"], output: "/o", timeout: nil))
    }

    @Test("command errors name the key and line and say what is valid")
    func commandErrors() {
        func service(_ lines: String) -> String { "services:\n  dump:\n    source:\n      type: command\n" + lines }
        expectLocated(configError(service("      run: [pg_dumpall]\n")), line: 3, keyPath: "services.dump.source",
                      #"missing key "output" (e.g. output: /var/backups/pg.sql)"#)
        expectLocated(configError(service("      output: /o\n")), line: 3, keyPath: "services.dump.source",
                      #"missing key "run" (e.g. run: [pg_dumpall, -h, /var/run/postgresql])"#)
        expectLocated(configError(service("      run: [pg_dumpall]\n      output: /o\n      timeout: soon\n")), line: 7,
                      keyPath: "services.dump.source.timeout", #"invalid duration "soon""#, "30s, 5m, 1h")
        expectLocated(configError(service("      run: [pg_dumpall]\n      output: /o\n      timeout: 0s\n")), line: 7,
                      keyPath: "services.dump.source.timeout", "must be longer than 0s (e.g. timeout: 1h)")
        expectLocated(configError(service("      run: [pg_dumpall]\n      output: /o\n      timeout: 600\n")), line: 7,
                      keyPath: "services.dump.source.timeout", "expected a duration", "got a number")
        expectLocated(configError(service("      run: [pg_dumpall]\n      output: /var/backups/\n")), line: 6,
                      keyPath: "services.dump.source.output", "names a folder, not a file", "output: /var/backups/pg.sql")
        expectLocated(configError(service("      run: []\n      output: /o\n")), line: 5,
                      keyPath: "services.dump.source.run", "the command is empty")
        expectLocated(configError(service("      run: \"  \"\n      output: /o\n")), line: 5,
                      keyPath: "services.dump.source.run", "the command is empty")
        expectLocated(configError(service("      run: [\"\", x]\n      output: /o\n")), line: 5,
                      keyPath: "services.dump.source.run[0]", "the program name is empty")
        expectLocated(configError(service("      run: [ls, ~]\n      output: /o\n")), line: 5,
                      keyPath: "services.dump.source.run[1]", "expected an argument (text), got nothing (null)")
        expectLocated(configError(service("      run: 42\n      output: /o\n")), line: 5, keyPath: "services.dump.source.run",
                      "expected a command: a list of the program and its arguments, or one line, got a number")
        expectLocated(configError(service("      run: pg_dump 'my db'\n      output: /o\n")), line: 5,
                      keyPath: "services.dump.source.run", "split on whitespace", #""'" would reach the program as is"#,
                      "write run as a list")
        expectLocated(configError(service("      run: pg_dumpall | gzip\n      output: /o\n")), line: 5,
                      keyPath: "services.dump.source.run", #""|" would reach"#, #"run: [sh, -c, "pg_dumpall | gzip"]"#)
        expectLocated(configError(service("      run: [x]\n      outputs: /o\n")), line: 6, keyPath: "services.dump.source.outputs",
                      #"did you mean "output"? (valid keys: type, run, output, timeout)"#)
    }
}
