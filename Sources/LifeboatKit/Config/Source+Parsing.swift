extension Source {
    /// The source types this version reads, with the keys each accepts (`type` included).
    private enum Kind: String, CaseIterable {
        case files, sqlite, command, postgres

        var keys: [String] {
            switch self {
            case .files: ["type", "paths", "exclude"]
            case .sqlite: ["type", "path"]
            case .command: ["type", "run", "output", "timeout"]
            case .postgres: ["type", "dsn", "data_directory", "password_file", "password_env"]
            }
        }

        var example: String {
            switch self {
            case .files: #"source: { type: files, paths: [/srv/app], exclude: ["*.tmp"] }"#
            case .sqlite: "source: { type: sqlite, path: ./data/app.db }"
            case .command: "source: { type: command, run: [pg_dumpall, -h, /var/run/postgresql], output: /var/backups/pg.sql }"
            case .postgres: #"source: { type: postgres, dsn: "host=/var/run/postgresql user=postgres", data_directory: /var/lib/postgresql/15/main }"#
            }
        }
    }

    /// Reads a `source:` mapping; its `type` decides which other keys are valid.
    static func parse(_ node: ConfigNode, directory: String) throws -> Source {
        let example = Kind.files.example
        let typeNode = try node.mapping("a mapping with a type", example: example).required("type", example: "type: files")
        let type = try typeNode.string("a source type (\(supportedTypes.joined(separator: ", ")))", example: "type: files")
        guard let kind = Kind(rawValue: type) else {
            let supported = "supported: \(supportedTypes.joined(separator: ", "))"
            if plannedTypes.contains(type) {
                throw typeNode.error("source type \"\(type)\" is not supported by this version yet (\(supported))")
            }
            let all = supportedTypes + plannedTypes
            let hint = ConfigDiagnostics.suggestion(for: type, among: all).map { "did you mean \"\($0)\"? " } ?? ""
            throw typeNode.error("unknown source type \"\(type)\"; \(hint)(\(supported))")
        }
        let mapping = try node.mapping("a mapping", example: kind.example, validKeys: kind.keys)
        switch kind {
        case .files: return try files(mapping, directory: directory)
        case .sqlite: return try sqlite(mapping, directory: directory)
        case .command: return try command(mapping, directory: directory)
        case .postgres: return try postgres(mapping, directory: directory)
        }
    }

    private static func postgres(_ mapping: ConfigMapping, directory: String) throws -> Source {
        let dsnExample = #"dsn: "host=/var/run/postgresql port=5432 user=postgres""#
        let dsnNode = try mapping.required("dsn", example: dsnExample)
        let dsn = try dsnNode.string("a libpq connection string (text)", example: dsnExample)
        guard !dsn.trimmingWhitespace.isEmpty else { throw dsnNode.error("the connection string is empty (e.g. \(dsnExample))") }
        if containsPassword(dsn) {
            throw dsnNode.error("the connection string holds a password; secrets do not belong in lifeboat.yaml: "
                + "remove it and set password_file (e.g. password_file: /etc/lifeboat/pg.pass, readable by root only) "
                + "or password_env (e.g. password_env: PGPASS_ORDERS)")
        }
        let dataExample = "data_directory: /var/lib/postgresql/15/main"
        let dataNode = try mapping.required("data_directory", example: dataExample)
        let written = try dataNode.string("the path of the cluster's data directory", example: dataExample)
        guard !written.isEmpty else { throw dataNode.error("the path is empty (e.g. \(dataExample))") }
        guard !written.hasPrefix("~") else {
            throw dataNode.error("\"~\" is not expanded; write the absolute path (e.g. \(dataExample))")
        }
        let dataDirectory = ConfigPath.absolute(written, relativeTo: directory)
        guard dataDirectory != "/" else {
            throw dataNode.error("the data directory cannot be \"/\"; name the cluster's folder (e.g. \(dataExample))")
        }
        let fileExample = "password_file: /etc/lifeboat/pg.pass"
        let passwordFile = try mapping.present("password_file")
            .map { try $0.filePath("the path of a file holding the password", example: fileExample, directory: directory) }
        let envExample = "password_env: PGPASS_ORDERS"
        let passwordEnvironment = try mapping.present("password_env").map { node -> String in
            let name = try node.string("the name of an environment variable", example: envExample)
            guard let first = name.unicodeScalars.first, first == "_" || ("A"..."Z").contains(first) || ("a"..."z").contains(first),
                  name.unicodeScalars.allSatisfy({ $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) })
            else {
                throw node.error("\"\(name)\" is not an environment variable name (letters, digits and _, not starting with a digit; e.g. \(envExample))")
            }
            return name
        }
        if passwordFile != nil, let envNode = mapping["password_env"] {
            throw envNode.error("set either password_file or password_env, not both", line: envNode.keyLine)
        }
        return .postgres(dsn: dsn, dataDirectory: dataDirectory, passwordFile: passwordFile, passwordEnvironment: passwordEnvironment)
    }

    /// Whether a libpq connection string carries a password: a `password=` keyword, or a URI whose
    /// user information has a `:`.
    static func containsPassword(_ dsn: String) -> Bool {
        let lowered = dsn.lowercased()
        if lowered.range(of: #"(^|\s)password\s*="#, options: .regularExpression) != nil || lowered.contains("password=") { return true }
        for scheme in ["postgresql://", "postgres://"] where lowered.hasPrefix(scheme) {
            let rest = lowered.dropFirst(scheme.count)
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") { return true }
        }
        return false
    }

    private static func files(_ mapping: ConfigMapping, directory: String) throws -> Source {
        let pathsNode = try mapping.required("paths", example: "paths: [/srv/app]")
        let paths = try filePaths(pathsNode, directory: directory)
        let exclude = try mapping.present("exclude")?.list("a list of glob patterns", example: #"exclude: ["*.tmp", "cache/"]"#)
            .map { (item: ConfigNode) throws -> String in
                let pattern = try item.string("a glob pattern (text)", example: #"exclude: ["*.tmp"]"#)
                guard !pattern.isEmpty else { throw item.error("an empty pattern matches nothing; remove it") }
                return pattern
            } ?? []
        return .files(paths: paths, exclude: exclude)
    }

    /// The `paths` list: absolute, normalised, not `/`, none repeating or inside another.
    private static func filePaths(_ node: ConfigNode, directory: String) throws -> [String] {
        let items = try node.list("a list of paths", example: "paths: [/srv/app]")
        guard !items.isEmpty else { throw node.error("the list is empty; name at least one path (e.g. paths: [/srv/app])") }
        var paths: [String] = []
        for item in items {
            let written = try item.string("a path", example: "paths: [/srv/app]")
            guard !written.isEmpty else { throw item.error("the path is empty (e.g. paths: [/srv/app])") }
            guard !written.hasPrefix("~") else {
                throw item.error("\"~\" is not expanded; write the absolute path (e.g. /home/alice/docs)")
            }
            let path = ConfigPath.absolute(written, relativeTo: directory)
            guard path != "/" else {
                throw item.error("backing up \"/\" itself is refused; list the folders to protect (e.g. paths: [/etc, /srv])")
            }
            for (index, other) in paths.enumerated() {
                let relation = path == other ? "repeats" : ConfigPath.isSameOrInside(path, other) ? "lies inside"
                    : ConfigPath.isSameOrInside(other, path) ? "contains" : nil
                if let relation {
                    throw item.error("\(path) \(relation) \(node.path)[\(index)] (\(other)); "
                        + "list each tree once and use exclude to leave parts out")
                }
            }
            paths.append(path)
        }
        return paths
    }

    private static func sqlite(_ mapping: ConfigMapping, directory: String) throws -> Source {
        let example = "path: ./data/app.db"
        let path = try mapping.required("path", example: example)
            .filePath("the path of a database file", example: example, directory: directory)
        return .sqlite(path: path)
    }

    private static func command(_ mapping: ConfigMapping, directory: String) throws -> Source {
        let arguments = try commandLine(mapping.required("run", example: "run: [pg_dumpall, -h, /var/run/postgresql]"))
        let outputExample = "output: /var/backups/pg.sql"
        let output = try mapping.required("output", example: outputExample)
            .filePath("the path the output is restored to", example: outputExample, directory: directory)
        let timeout = try mapping.present("timeout")?.positiveDuration(example: "timeout: 1h")
        return .command(arguments: arguments, output: output, timeout: timeout)
    }

    /// Characters a shell would interpret; in the one-string form of `run` they would reach the program
    /// as they are, which is never what their author meant.
    private static let shellCharacters: Set<Character> = ["\"", "'", "\\", "$", "`", "|", "&", ";", "<", ">"]

    /// `run`: a list of arguments taken as written (numbers too: `[sleep, 5]`), or one string split on
    /// whitespace, without quoting.
    private static func commandLine(_ node: ConfigNode) throws -> [String] {
        let example = "run: [pg_dumpall, -h, /var/run/postgresql]"
        let empty = "the command is empty; name the program and its arguments (e.g. \(example))"
        let expected = "a command: a list of the program and its arguments, or one line"
        guard case .sequence = node.node else {
            let line = try node.string(expected, example: example)
            if let special = line.first(where: shellCharacters.contains) {
                throw node.error("written as one string, run is split on whitespace and no shell reads it, "
                    + "so \"\(special)\" would reach the program as is; write run as a list of arguments "
                    + "(e.g. run: [pg_dump, \"my db\"]), or run a shell (e.g. run: [sh, -c, \"pg_dumpall | gzip\"])")
            }
            let arguments = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard !arguments.isEmpty else { throw node.error(empty) }
            return arguments
        }
        let items = try node.list(expected, example: example)
        guard let program = items.first else { throw node.error(empty) }
        let arguments = try items.map { try $0.scalarText("an argument (text)", example: example) }
        guard !arguments[0].isEmpty else {
            throw program.error("the program name is empty; name the program to run first (e.g. \(example))")
        }
        return arguments
    }
}

extension ConfigNode {
    /// A scalar as written, whatever YAML type it resolves to (`5`, `yes`, `-h`); null is refused.
    fileprivate func scalarText(_ expected: String, example: String) throws -> String {
        guard case .scalar(let scalar) = node, !isNull else { throw mismatch(expected, example: example) }
        return scalar.string
    }

    /// The path of one file: absolute against `directory`, normalised, and not written as a folder
    /// (`/`, a trailing `/`, or ending in `.` or `..`).
    fileprivate func filePath(_ expected: String, example: String, directory: String) throws -> String {
        let written = try string(expected, example: example)
        guard !written.isEmpty else { throw error("the path is empty (e.g. \(example))") }
        guard !written.hasPrefix("~") else {
            throw error("\"~\" is not expanded; write an absolute path or one relative to this file (e.g. \(example))")
        }
        let last = ConfigPath.components(of: written).last
        guard !written.hasSuffix("/"), last != ".", last != ".." else {
            throw error("\"\(written)\" names a folder, not a file; name the file (e.g. \(example))")
        }
        return ConfigPath.absolute(written, relativeTo: directory)
    }
}
