import Foundation
import Yams

/// Reading a YAML file other than `lifeboat.yaml` (plans, drills) into a `ConfigNode`, with the
/// same `file:line: key.path:` errors.
enum ConfigDocument {
    /// The text of `file` (relative paths are taken against the current folder).
    ///
    /// - Parameters:
    ///   - what: the kind of file, for messages ("plan").
    ///   - guide: where its format is described, for the message about a missing file ("Plans/README.md").
    /// - Throws: `LifeboatError` (`.configuration`) when the file is missing, a folder or unreadable.
    static func read(_ file: String, what: String, guide: String) throws -> String {
        if let problem = problem(with: file) {
            throw LifeboatError(
                .configuration, "\(what) file \(file) \(problem); check the path, or write the file (see \(guide))")
        }
        do {
            return try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw LifeboatError(
                .configuration, "cannot read \(what) file \(file); check its permissions and that it is UTF-8 text",
                cause: error)
        }
    }

    /// Why `path` cannot be read as a settings file, or nil for a regular file (symlinks followed). A
    /// FIFO or device is refused before it is opened: reading one would block or never end.
    static func problem(with path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { return "does not exist" }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "is a folder, not a file"
        default: return "is not a regular file (a pipe, socket or device)"
        }
    }

    /// The top-level node of `yaml`; an empty document is an empty mapping.
    ///
    /// - Throws: `LifeboatError` (`.configuration`) at the line of a YAML syntax error or duplicate key.
    static func root(yaml: String, file: String) throws -> ConfigNode {
        do {
            let node = try Yams.compose(yaml: yaml, .basic) ?? Node([(Node, Node)]())
            return ConfigNode(node: node, file: file, path: "", keyLine: nil)
        } catch let error as YamlError {
            throw ConfigDiagnostics.error(from: error, file: file, yaml: yaml)
        }
    }
}

extension ConfigNode {
    /// `true` or `false` (YAML also reads `yes` and `no` as booleans).
    func bool(example: String) throws -> Bool {
        guard tagName == .bool, let value = node.bool else {
            throw mismatch("true or false", example: example)
        }
        return value
    }

    /// A scalar as written, whatever YAML type it resolves to (`8080`, `yes`, `2024-05-01T03:00:00Z`);
    /// null, lists and mappings are refused.
    func writtenText(_ expected: String, example: String) throws -> String {
        guard case .scalar(let scalar) = node, !isNull else { throw mismatch(expected, example: example) }
        return scalar.string
    }

    /// One string or a list of strings (`needs: a` or `needs: [a, b]`), each with its node.
    func oneOrMany(_ expected: String, item: String, example: String) throws -> [(text: String, node: ConfigNode)] {
        if case .sequence = node {
            return try list(expected, example: example).map { (try $0.string(item, example: example), $0) }
        }
        return [(try string(expected, example: example), self)]
    }

    /// The closest of `candidates` as `did you mean "x"? `, or nothing.
    static func hint(_ word: String, among candidates: [String]) -> String {
        ConfigDiagnostics.suggestion(for: word, among: candidates).map { "did you mean \"\($0)\"? " } ?? ""
    }
}
