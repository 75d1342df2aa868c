import Yams

/// Turns what Yams reports (syntax errors, duplicate keys) into `file:line: key.path: message`
/// errors, and finds the valid name closest to a misspelt one.
enum ConfigDiagnostics {
    /// The closest of `candidates` to `word` when it is close enough to be a likely typo.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        // A suggestion is at most 3 edits away and the distance is at least the difference in length:
        // skipping candidates of another length keeps a very long word from costing its length squared.
        let length = word.count
        let scored = candidates.filter { abs($0.count - length) <= 3 }.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(1, min(3, best.0.count / 2)) ? best.0 : nil
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            previous = current
        }
        return previous[b.count]
    }

    /// A `YamlError` from `Yams.compose` as a configuration error at its line.
    static func error(from yamlError: YamlError, file: String, yaml: String) -> LifeboatError {
        let paths = blockKeyPaths(in: yaml)
        func located(_ line: Int, _ message: String) -> LifeboatError {
            let path = paths[line].map { $0.path.joined(separator: ".") } ?? ""
            return LifeboatError(
                .configuration, "\(file):\(line): \(path.isEmpty ? "top level" : path): \(message)", cause: yamlError)
        }
        let hint = "check the indentation (spaces, not tabs), "
            + "and quote values that start with * & ! | > % @ or ` or contain \": \""
        switch yamlError {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let while_ = context.map { " (\($0.text), line \($0.mark.line))" } ?? ""
            return located(mark.line, "invalid YAML: \(problem)\(while_); \(hint)")
        case let .reader(problem, offset, _, _):
            let line = offset.map { yaml.prefix($0).filter { $0 == "\n" }.count + 1 } ?? 1
            return located(line, "unreadable text: \(problem); save the file as UTF-8")
        case let .duplicatedKeysInMapping(duplicates, context):
            return duplicateKey(duplicates.first ?? "?", firstLine: context.mark.line, paths: paths, located: located)
        default:
            return LifeboatError(.configuration, "\(file): invalid YAML: \(yamlError)", cause: yamlError)
        }
    }

    /// Yams reports the first occurrence of a duplicate; the second one is what the user must fix.
    private static func duplicateKey(
        _ key: String, firstLine: Int, paths: [Int: KeyedLine], located: (Int, String) -> LifeboatError
    ) -> LifeboatError {
        let rule = "each key, service name and tier name may appear only once in a mapping"
        guard let first = paths[firstLine], first.definesKey, first.path.last == key,
              let second = paths.filter({ $0.key > firstLine && $0.value == first }).keys.min() else {
            return located(firstLine, "duplicate key \"\(key)\"; \(rule)")
        }
        return located(second, "duplicate key \"\(key)\" (first defined at line \(firstLine)); \(rule)")
    }

    /// For each line of block-style YAML, the key path that line is in (including a key it defines);
    /// an approximation for messages about text that did not compose into nodes.
    static func blockKeyPaths(in yaml: String) -> [Int: KeyedLine] {
        var stack: [(indent: Int, key: String)] = []
        var result: [Int: KeyedLine] = [:]
        for (index, line) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = Substring(line)
            var indent = 0
            while let first = rest.first, first == " " || (first == "-" && rest.dropFirst().first == " ") {
                rest = rest.dropFirst(first == " " ? 1 : 2)
                indent += first == " " ? 1 : 2
            }
            var definesKey = false
            if !rest.isEmpty && !rest.hasPrefix("#") {
                while let last = stack.last, last.indent >= indent { stack.removeLast() }
                if let key = blockKey(rest) {
                    stack.append((indent, key))
                    definesKey = true
                }
            }
            result[index + 1] = KeyedLine(path: stack.map(\.key), definesKey: definesKey)
        }
        return result
    }

    struct KeyedLine: Equatable {
        /// The keys enclosing the line, outermost first.
        let path: [String]
        /// Whether the line itself defines the last key of `path`.
        let definesKey: Bool
    }

    /// The key a line such as `name: value` or `"name":` defines, if it looks like one.
    private static func blockKey(_ text: Substring) -> String? {
        if let quote = text.first, quote == "\"" || quote == "'" {
            let body = text.dropFirst()
            guard let end = body.firstIndex(of: quote), body[body.index(after: end)...].trimmingWhitespace.hasPrefix(":")
            else { return nil }
            return String(body[..<end])
        }
        guard let first = text.first, !"{[&*!|>%@`".contains(first) else { return nil }
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == ":" && (next == text.endIndex || text[next] == " ") {
                return text[..<index].trimmingWhitespace
            }
            if text[index] == "#" && index > text.startIndex && text[text.index(before: index)] == " " { return nil }
            index = next
        }
        return nil
    }
}
