import Yams

/// A YAML node of a configuration file being read, with the file, line and key path that errors
/// about it must name: `lifeboat.yaml:7: services.app.source.paths: expected …`.
struct ConfigNode {
    let node: Node
    /// The file as the caller named it; shown as is in messages.
    let file: String
    /// Dotted key path from the top (`services.app.source.paths[0]`); empty for the top level.
    let path: String
    /// The line of the key this node is the value of, when it is one.
    let keyLine: Int?
    /// Where `warn(_:)` collects warnings about the file; shared by every node read from it. Without
    /// one (plans, drills), warnings are dropped.
    var warnings: ConfigWarnings? = nil

    /// The line the node starts on (1-based).
    var line: Int { node.mark?.line ?? keyLine ?? 1 }

    /// An error at this node (or at `line`), as `file:line: path: message`.
    func error(_ message: String, line: Int? = nil) -> LifeboatError {
        LifeboatError(.configuration, "\(file):\(line ?? self.line): \(path.isEmpty ? "top level" : path): \(message)")
    }

    /// Records a warning at this node, as `file:line: path: message`: the value is accepted, but
    /// probably not what was meant.
    func warn(_ message: String) {
        warnings?.found.append((line, "\(file):\(line): \(path.isEmpty ? "top level" : path): \(message)"))
    }

    /// Rethrows a `LifeboatError` from `body` (a value parser such as `LifeboatDuration(parsing:)`)
    /// with this node's place in front of its message.
    func located<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as LifeboatError {
            throw self.error(error.message)
        }
    }

    /// The resolved YAML tag: `.str` for quoted or plain text, `.int`, `.bool`, `.null`, `.map`, ...
    /// (scalars through `ScalarTag`, as documents are composed with `Resolver.basic`).
    var tagName: Tag.Name {
        if case .scalar(let scalar) = node { return ScalarTag.resolve(scalar) }
        return Tag.Name(rawValue: node.tag.rawValue)
    }

    var isNull: Bool {
        if case .scalar = node { return tagName == .null }
        return false
    }

    /// What the node is, for "got …" in messages.
    var kind: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar:
            switch tagName {
            case .null: return "nothing (null)"
            case .int, .float: return "a number"
            case .bool: return "a boolean (\(node.scalar?.string ?? ""))"
            case .str: return "a string"
            default: return "a value tagged \(tagName.rawValue)"
            }
        }
    }

    func mismatch(_ expected: String, example: String) -> LifeboatError {
        error("expected \(expected), got \(kind) (e.g. \(example))")
    }

    func child(_ key: String, _ value: Node, keyLine: Int?) -> ConfigNode {
        ConfigNode(node: value, file: file, path: path.isEmpty ? key : "\(path).\(key)", keyLine: keyLine, warnings: warnings)
    }

    /// A plain string value; numbers, booleans and null are refused (quote them to mean text).
    func string(_ expected: String, example: String) throws -> String {
        guard case .scalar(let scalar) = node, tagName == .str else {
            throw mismatch(expected, example: example)
        }
        return scalar.string
    }

    func int(_ expected: String, example: String, in range: ClosedRange<Int>) throws -> Int {
        guard tagName == .int, let value = node.int else { throw mismatch(expected, example: example) }
        guard range.contains(value) else {
            throw error("\(value) is out of range: expected \(expected) (e.g. \(example))")
        }
        return value
    }

    func list(_ expected: String, example: String) throws -> [ConfigNode] {
        guard case .sequence(let sequence) = node else { throw mismatch(expected, example: example) }
        return sequence.enumerated().map { index, item in
            ConfigNode(node: item, file: file, path: "\(path)[\(index)]", keyLine: item.mark?.line, warnings: warnings)
        }
    }

    /// A list of plain strings; `what` names one item in messages ("a path").
    func stringList(_ expected: String, item what: String, example: String) throws -> [String] {
        try list(expected, example: example).map { try $0.string(what, example: example) }
    }

    /// The node as a mapping with string keys. When `validKeys` is given, any other key is an error
    /// that lists them and suggests the closest one.
    func mapping(_ expected: String, example: String, validKeys: [String]? = nil) throws -> ConfigMapping {
        guard case .mapping(let mapping) = node else { throw mismatch(expected, example: example) }
        var entries: [ConfigMapping.Entry] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                let kind = ConfigNode(node: keyNode, file: file, path: path, keyLine: nil).kind
                throw error("keys must be plain names, got \(kind) as a key", line: keyNode.mark?.line)
            }
            let key = scalar.string
            let keyLine = keyNode.mark?.line
            if let validKeys, !validKeys.contains(key) {
                let hint = ConfigDiagnostics.suggestion(for: key, among: validKeys).map { "did you mean \"\($0)\"? " } ?? ""
                throw child(key, value, keyLine: keyLine).error(
                    "unknown key; \(hint)(valid keys: \(validKeys.joined(separator: ", ")))", line: keyLine)
            }
            entries.append(.init(key: key, value: child(key, value, keyLine: keyLine)))
        }
        return ConfigMapping(owner: self, entries: entries)
    }
}

/// The warnings found while reading one file.
final class ConfigWarnings {
    var found: [(line: Int, message: String)] = []

    /// The messages in file order (the order of reading differs: fields are read by name).
    var messages: [String] {
        found.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element.message)
    }
}

/// The entries of a YAML mapping, in file order.
struct ConfigMapping {
    struct Entry {
        let key: String
        let value: ConfigNode
    }

    let owner: ConfigNode
    let entries: [Entry]

    /// The value of `key`, including an explicit null; `nil` when the key is absent.
    subscript(key: String) -> ConfigNode? {
        entries.first { $0.key == key }?.value
    }

    /// The value of `key` unless it is absent or null.
    func present(_ key: String) -> ConfigNode? {
        self[key].flatMap { $0.isNull ? nil : $0 }
    }

    /// The value of `key`; an error at the mapping's key when it is absent or null.
    func required(_ key: String, example: String) throws -> ConfigNode {
        guard let value = present(key) else { throw missing(key, example: example) }
        return value
    }

    /// The error for a required `key` that is absent or null, at the line of the mapping's own key.
    func missing(_ key: String, example: String) -> LifeboatError {
        owner.error("missing key \"\(key)\" (e.g. \(example))", line: owner.keyLine ?? owner.line)
    }
}
