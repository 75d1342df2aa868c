extension CommandSpec {
    /// Reads a command as plans and drills write it (`run`, `rollback`, `command`, `setup`, ...):
    /// a string is a shell line (`bash -c`), a list is the program and its arguments, taken as
    /// written (`[sleep, 5]`) and run without a shell.
    ///
    /// - Parameter key: the key the command is written under, for examples in messages.
    static func parse(_ node: ConfigNode, key: String) throws -> CommandSpec {
        let example = #"\#(key): "systemctl start app" or \#(key): [systemctl, start, app]"#
        let expected = "a command: a shell line, or a list of the program and its arguments"
        guard case .sequence = node.node else {
            let line = try node.string(expected, example: example)
            guard !line.trimmingWhitespace.isEmpty else { throw node.error("the command is empty (e.g. \(example))") }
            return .shell(line)
        }
        let items = try node.list(expected, example: example)
        guard let program = items.first else {
            throw node.error("the command is empty; name the program and its arguments (e.g. \(example))")
        }
        let argv = try items.map { try $0.writtenText("an argument (text)", example: example) }
        guard !argv[0].trimmingWhitespace.isEmpty else {
            throw program.error("the program name is empty; name the program to run first (e.g. \(example))")
        }
        return CommandSpec(argv: argv)
    }

    /// Reads a step's `env:`: variable names to text (numbers and booleans are kept as written).
    /// Names are shell variable names; `LIFEBOAT_*` belongs to Lifeboat.
    static func environment(_ node: ConfigNode) throws -> [String: String] {
        let example = #"env: { APP_ENV: production, PORT: "8080" }"#
        let mapping = try node.mapping("a mapping of environment variables to values", example: example)
        var environment: [String: String] = [:]
        for entry in mapping.entries {
            guard isVariableName(entry.key) else {
                throw entry.value.error("\"\(entry.key)\" is not an environment variable name "
                    + "(letters, digits and _, not starting with a digit; e.g. \(example))", line: entry.value.keyLine)
            }
            guard !entry.key.hasPrefix("LIFEBOAT_") else {
                throw entry.value.error("LIFEBOAT_* variables are set by Lifeboat (LIFEBOAT_PLAN, LIFEBOAT_STEP, "
                    + "LIFEBOAT_TARGET); choose another name", line: entry.value.keyLine)
            }
            environment[entry.key] = try entry.value.writtenText("a value (text)", example: example)
        }
        return environment
    }

    private static func isVariableName(_ name: String) -> Bool {
        func isLetter(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "_" || ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar)
        }
        guard let first = name.unicodeScalars.first, isLetter(first) else { return false }
        return name.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) }
    }
}
