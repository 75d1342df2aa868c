import Foundation
import Yams

extension LifeboatConfig {
    static let keys = ["repository", "s3", "passphrase_file", "repositories", "catalog", "compression", "tiers", "services", "group_access"]

    /// Finds and reads the configuration: `explicitPath` (`--config FILE`), else the file named by
    /// `$LIFEBOAT_CONFIG`, else `lifeboat.yaml` in `currentDirectory`. Relative paths are taken
    /// against `currentDirectory`.
    ///
    /// A file named by `--config` or the variable must exist: there is no fallback past it.
    /// - Throws: `LifeboatError` (`.configuration`): no file found (the message says where it looked
    ///   and how to create one), unreadable, or invalid (see `parse(yaml:path:)`).
    public static func load(
        explicitPath: String?, environment: [String: String], currentDirectory: String
    ) throws -> LifeboatConfig {
        let base = ConfigPath.absolute(currentDirectory, relativeTo: "/")
        if let explicitPath {
            return try read(ConfigPath.absolute(explicitPath, relativeTo: base), namedBy: "--config")
        }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return try read(ConfigPath.absolute(fromEnvironment, relativeTo: base), namedBy: "$\(environmentVariable)")
        }
        let local = ConfigPath.absolute(fileName, relativeTo: base)
        guard FileManager.default.fileExists(atPath: local) else {
            throw LifeboatError(
                .configuration,
                "no configuration found: looked for --config FILE (not given), $\(environmentVariable) (not set) "
                    + "and \(local) (no such file); create \(fileName) in this folder, or pass --config FILE",
                details: [
                    "a minimal \(fileName):",
                    "  repository: ./lifeboat-repo",
                    "  services:",
                    "    app-files:",
                    "      source: { type: files, paths: [/srv/app] }",
                ])
        }
        return try read(local, namedBy: nil)
    }

    private static func read(_ path: String, namedBy origin: String?) throws -> LifeboatConfig {
        if let problem = ConfigDocument.problem(with: path) {
            throw LifeboatError(
                .configuration, "configuration file \(path) (from \(origin ?? "the current folder")) \(problem); "
                    + "fix the path, or create the file")
        }
        let yaml: String
        do {
            yaml = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LifeboatError(
                .configuration, "cannot read configuration file \(path); check its permissions and that it is UTF-8 text",
                cause: error)
        }
        return try parse(yaml: yaml, path: path)
    }

    /// Parses and validates the text of a configuration file.
    ///
    /// `path` names the file in messages and locates it: relative paths inside it are resolved
    /// against its folder (a relative `path` is taken against the process's current folder).
    /// - Throws: `LifeboatError` (`.configuration`) whose message starts `path:line: key.path:` and
    ///   says what would be valid, for YAML syntax errors, unknown or duplicate keys, wrong types and
    ///   invalid values alike. What is valid but probably a mistake (a schedule that skips months) is
    ///   kept in `warnings` instead.
    public static func parse(yaml: String, path: String) throws -> LifeboatConfig {
        let filePath = ConfigPath.absolute(path, relativeTo: FileManager.default.currentDirectoryPath)
        let directory = ConfigPath.directory(of: filePath)
        let root: Node
        do {
            root = try Yams.compose(yaml: yaml, .basic) ?? Node([(Node, Node)]())
        } catch let error as YamlError {
            throw ConfigDiagnostics.error(from: error, file: path, yaml: yaml)
        }
        let warnings = ConfigWarnings()
        let top = ConfigNode(node: root, file: path, path: "", keyLine: nil, warnings: warnings)
        let example = "repository: ./lifeboat-repo"
        let mapping = try top.mapping(
            "a mapping of settings (\(keys.joined(separator: ", ")))", example: example, validKeys: keys)

        let tiers = try Tier.parseAll(mapping["tiers"])
        var config = LifeboatConfig(
            filePath: filePath,
            repository: try repository(mapping.present("repository"), directory: directory),
            catalog: try location(mapping.present("catalog"), default: defaultCatalog, example: "catalog: ./lifeboat.sqlite",
                                  directory: directory),
            compressionLevel: try compressionLevel(mapping.present("compression")),
            tiers: tiers,
            services: try Service.parseAll(mapping["services"], tiers: tiers, directory: directory))
        config.groupReadable = try groupAccess(mapping.present("group_access"))
        config.s3 = try S3Options.parse(mapping.present("s3"))
        config.passphraseFile = try mapping.present("passphrase_file").map {
            try Self.path($0, example: "passphrase_file: /etc/lifeboat/passphrase", directory: directory)
        }
        config.repositories = try RepositorySpec.parseAll(mapping.present("repositories"), directory: directory, main: config.repository)
        try checkCopyTargets(mapping, known: config.repositories.map(\.name))
        config.warnings = warnings.messages
        return config
    }

    /// Every `copy_to` of a tier or service names a repository of `repositories:`.
    private static func checkCopyTargets(_ mapping: ConfigMapping, known: [String]) throws {
        for section in ["tiers", "services"] {
            guard let node = mapping.present(section), case .mapping = node.node,
                  let entries = try? node.mapping(section, example: "").entries else { continue }
            for entry in entries {
                guard case .mapping = entry.value.node, let fields = try? entry.value.mapping("settings", example: ""),
                      let list = fields.present("copy_to") else { continue }
                for item in try list.list("a list of repository names", example: "copy_to: [offsite]") {
                    let name = try item.string("a repository name", example: "copy_to: [offsite]")
                    if !known.contains(name) {
                        let hint = ConfigDiagnostics.suggestion(for: name, among: known).map { "did you mean \"\($0)\"? " } ?? ""
                        throw item.error("unknown repository \"\(name)\"; \(hint)(\(known.isEmpty ? "define it under `repositories:`" : "known: " + known.joined(separator: ", ")))")
                    }
                }
            }
        }
    }

    /// `group_access: none` (default: only the owner reads the repository and catalog) or `read`.
    private static func groupAccess(_ node: ConfigNode?) throws -> Bool {
        guard let node else { return false }
        let example = "group_access: read"
        switch try node.string("none or read", example: example) {
        case "none": return false
        case "read": return true
        default: throw node.error("expected none or read (e.g. \(example)): read lets the group of the repository's files read them, for an audit or monitoring account")
        }
    }

    private static func repository(_ node: ConfigNode?, directory: String) throws -> String {
        guard let node else { return ConfigPath.absolute(defaultRepository, relativeTo: directory) }
        return try repositoryLocation(node, directory: directory)
    }

    /// A local folder (absolute, or relative to the config file) or `s3://bucket/prefix`.
    static func repositoryLocation(_ node: ConfigNode, directory: String) throws -> String {
        let example = "repository: ./lifeboat-repo or repository: s3://bucket/prefix"
        let written = try node.string("a folder path or an s3:// URL", example: example)
        if let scheme = written.urlScheme {
            guard scheme == "s3" else {
                throw node.error("\"\(scheme)://\" repositories are not supported; use a local folder or s3://bucket/prefix (e.g. \(example))")
            }
            do {
                return try S3Location(parsing: written).description
            } catch let error as LifeboatError {
                throw node.error(error.message)
            }
        }
        return try path(node, example: example, directory: directory)
    }

    /// A path: absolute, or relative to the config file's folder.
    static func path(_ node: ConfigNode, example: String, directory: String) throws -> String {
        try location(node, default: "", example: example, directory: directory)
    }

    private static func location(_ node: ConfigNode?, default: String, example: String, directory: String) throws -> String {
        guard let node else { return ConfigPath.absolute(`default`, relativeTo: directory) }
        let written = try node.string("a path", example: example)
        guard !written.isEmpty else { throw node.error("the path is empty (e.g. \(example))") }
        guard !written.hasPrefix("~") else {
            throw node.error("\"~\" is not expanded; write an absolute path or one relative to this file (e.g. \(example))")
        }
        return ConfigPath.absolute(written, relativeTo: directory)
    }

    private static func compressionLevel(_ node: ConfigNode?) throws -> Int {
        guard let node else { return defaultCompressionLevel }
        let expected = "a zstd level from \(compressionLevels.lowerBound) to \(compressionLevels.upperBound)"
        let example = "compression: 3 or compression: { level: 3 }"
        if case .mapping = node.node {
            let mapping = try node.mapping(expected, example: example, validKeys: ["level"])
            return try mapping.required("level", example: "level: 3").int(expected, example: example, in: compressionLevels)
        }
        return try node.int(expected, example: example, in: compressionLevels)
    }
}

extension String {
    /// `s3` for `s3://bucket/prefix`; `nil` for a plain path.
    fileprivate var urlScheme: String? {
        guard let range = range(of: "://") else { return nil }
        let scheme = self[..<range.lowerBound]
        guard let first = scheme.first, first.isLetter,
              scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+.-".contains($0) }) else { return nil }
        return scheme.lowercased()
    }
}
