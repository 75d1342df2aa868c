extension CheckSpec {
    /// The keys of a check written as a mapping: exactly one of `run` (a shell command, any source)
    /// and `sql` (a query, `sqlite` and `postgres` sources only), then `expect` (`sql` only), `timeout` and `name`.
    static let keys = ["run", "sql", "expect", "timeout", "name"]

    /// Reads a service's `checks:` (absent or null means none): a list whose items are
    ///
    /// - a string: a shell command (`.command`) for `files` and `command` sources, a SQL query
    ///   (`.sql(query, expect: nil)`) for `sqlite` and `postgres` sources (run by `psql` against a
    ///   throwaway server for postgres);
    /// - `{ run: "test -s $LIFEBOAT_TARGET/srv/app/index.html", timeout: 30s, name: index page }`:
    ///   a command, for any source;
    /// - `{ sql: "SELECT count(*) FROM orders", expect: "42", timeout: 10s, name: orders }`: a query,
    ///   for `sqlite` and `postgres` sources only; `expect` is text or a number, kept as written.
    ///
    /// Commands, queries, `expect` and `name` must not be empty; `timeout` is a duration longer than
    /// 0s (`defaultTimeout` when absent or null), and `name` defaults to the command or query.
    static func parseAll(_ node: ConfigNode?, source: Source) throws -> [CheckSpec] {
        guard let node, !node.isNull else { return [] }
        let form = Form(source)
        let items = try node.list("a list of checks", example: "checks: [\(form.stringExample)]")
        return try items.map { try parse($0, form: form) }
    }

    private static func parse(_ item: ConfigNode, form: Form) throws -> CheckSpec {
        guard case .mapping = item.node else {
            let text = try item.string(form.itemExpected, example: "checks: [\(form.stringExample), \(form.mappingExample)]")
            guard !text.trimmingWhitespace.isEmpty else {
                throw item.error("the check is empty; write \(form.stringMeaning) (e.g. checks: [\(form.stringExample)])")
            }
            return CheckSpec(kind: form.isSQLite ? .sql(text, expect: nil) : .command(text))
        }
        let mapping = try item.mapping(form.itemExpected, example: form.mappingExample, validKeys: keys)
        let run = mapping["run"], sql = mapping["sql"]
        if run != nil && sql != nil {
            throw item.error("a check has either run (a shell command) or sql (a SQL query), not both; "
                + "write two checks, one with each")
        }
        let kind: Kind
        if let sql {
            guard form.isSQLite else {
                throw sql.error("sql checks need a sqlite source or a postgres source, and this service's source is \(form.sourceType); "
                    + "use run for a shell command (e.g. \(Form.runExample))", line: sql.keyLine)
            }
            let query = try sql.nonEmptyText("a SQL query (text)", example: #"sql: "SELECT count(*) FROM orders""#,
                                             what: "query")
            let expect = try mapping.present("expect")?.expectedResult()
            kind = .sql(query, expect: expect)
        } else if let run {
            if let expect = mapping.present("expect") {
                throw expect.error("expect applies only to sql checks; a run check passes when its command exits 0 "
                    + "(compare the output in the command, e.g. run: \"test $(cat $LIFEBOAT_TARGET/srv/app/VERSION) = 2\")",
                    line: expect.keyLine)
            }
            kind = .command(try run.nonEmptyText(
                "a shell command (text, run by sh -c)", example: #"run: "test -s $LIFEBOAT_TARGET/srv/app/index.html""#,
                what: "command"))
        } else {
            throw item.error("missing key \(form.isSQLite ? #""sql" or "run""# : #""run""#): a check mapping runs "
                + "\(form.isSQLite ? "a SQL query (sql) or a shell command (run)" : "a shell command (run)") "
                + "(e.g. \(form.mappingExample))")
        }
        let timeout = try mapping.present("timeout")?.positiveDuration(example: "timeout: 30s") ?? defaultTimeout
        let name = try mapping.present("name")?.nonEmptyText("a short name (text)", example: "name: index page",
                                                             what: "name")
        return CheckSpec(kind: kind, timeout: timeout, name: name)
    }

    /// What a service's source makes of its checks: how a string item reads, and the examples that
    /// messages show.
    private struct Form {
        let sourceType: String
        /// Whether string checks are SQL: `sqlite` and `postgres` sources.
        let isSQLite: Bool

        init(_ source: Source) {
            sourceType = source.typeName
            switch source {
            case .sqlite, .postgres: isSQLite = true
            default: isSQLite = false
            }
        }

        static let runExample = #"{ run: "test -s $LIFEBOAT_TARGET/srv/app/index.html", timeout: 30s, name: index page }"#
        static let sqlExample = #"{ sql: "SELECT count(*) FROM orders", expect: "42", timeout: 10s, name: orders }"#

        var stringExample: String {
            isSQLite ? #""SELECT count(*) FROM orders""# : #""test -s $LIFEBOAT_TARGET/srv/app/index.html""#
        }
        var mappingExample: String { isSQLite ? Self.sqlExample : Self.runExample }
        var stringMeaning: String { isSQLite ? "a SQL query" : "a shell command" }
        var itemExpected: String {
            isSQLite ? "a check: a SQL query (text), or a mapping with sql or run"
                : "a check: a shell command (text), or a mapping with run"
        }
    }
}

extension ConfigNode {
    /// A string that is not empty or blank; `what` names it in the message ("command").
    fileprivate func nonEmptyText(_ expected: String, example: String, what: String) throws -> String {
        let text = try string(expected, example: example)
        guard !text.trimmingWhitespace.isEmpty else { throw error("the \(what) is empty (e.g. \(example))") }
        return text
    }

    /// `expect`: text, or a number kept as written (`42`, `3.50`); an empty value is refused, since
    /// whether it matches a NULL or an empty string is unclear.
    fileprivate func expectedResult() throws -> String {
        let example = #"expect: "42""#
        guard case .scalar(let scalar) = node, [.str, .int, .float].contains(tagName) else {
            throw mismatch("text or a number to compare with the first row (its columns joined by |)", example: example)
        }
        guard !scalar.string.isEmpty else {
            throw error("expect is empty; test for nothing in the query instead "
                + #"(e.g. sql: "SELECT count(*) = 0 FROM orders WHERE total IS NULL", expect: "1")"#)
        }
        return scalar.string
    }
}
