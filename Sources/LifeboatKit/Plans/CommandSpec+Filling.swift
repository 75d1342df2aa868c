extension CommandSpec {
    /// Shells whose `-c` argument is a script: placeholders in it are shell-quoted.
    static let shells: Set<String> = ["sh", "bash", "dash", "ash", "ksh", "mksh", "zsh", "busybox"]

    /// The index of the argument a shell runs as a script (`[bash, -c, LINE]`, `[sh, -ec, LINE]`), if any.
    var scriptIndex: Int? {
        guard argv.count >= 3, let program = argv[0].split(separator: "/").last, Self.shells.contains(String(program)) else { return nil }
        let option = argv[1]
        guard option.hasPrefix("-"), !option.hasPrefix("--"), option.dropFirst().contains("c"),
              option.dropFirst().allSatisfy({ $0.isLetter }) else { return nil }
        return 2
    }

    /// The command with its placeholders filled by `value`: quoted for the shell in a shell line (a
    /// string `run:`, or the script of `[sh, -c, …]`), as is in other arguments (each stays one
    /// argument, no shell reads it), in `env` values and in `workdir`.
    ///
    /// - Throws: `LifeboatError` when a value cannot stand safely where its placeholder is (see
    ///   `ShellSubstitution`).
    func filled(_ value: (String) -> String?) throws -> CommandSpec {
        let script = scriptIndex
        var filled = self
        for index in argv.indices {
            filled.argv[index] = index == script ? try ShellSubstitution.fill(argv[index], value) : Placeholder.replacing(in: argv[index], value)
        }
        filled.environment = environment.mapValues { Placeholder.replacing(in: $0, value) }
        filled.workdir = workdir.map { Placeholder.replacing(in: $0, value) }
        return filled
    }
}
