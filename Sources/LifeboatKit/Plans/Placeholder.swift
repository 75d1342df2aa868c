/// `{{name}}` placeholders in a plan's strings (spaces inside the braces are allowed: `{{ name }}`).
///
/// Only a name of letters, digits, `_`, `-` and `.` that starts with a letter makes a placeholder;
/// other text between double braces (a `docker inspect -f '{{.State.Running}}'` template) is left
/// alone. Names with a dot are the built-in service paths (`{{files.path}}`, see `ServicePaths`).
enum Placeholder {
    /// Whether `name` can be a variable name.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isLetter(first) else { return false }
        return name.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" || $0 == "." }
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar)
    }

    /// The names of the placeholders in `text`, in order of appearance (repeats included).
    static func names(in text: String) -> [String] {
        var names: [String] = []
        _ = replacing(in: text) { name in
            names.append(name)
            return nil
        }
        return names
    }

    /// The name of the placeholder `text` starts with (`target` for `{{target}}/srv`), if any: such a
    /// path may become absolute once resolved.
    static func leadingName(_ text: String) -> String? {
        guard text.hasPrefix("{{"), let close = text.range(of: "}}") else { return nil }
        let name = text[text.index(text.startIndex, offsetBy: 2)..<close.lowerBound].trimmingWhitespace
        return isValidName(name) ? name : nil
    }

    /// `text` with each placeholder for which `value` returns a string replaced by it; the others
    /// stay as written.
    static func replacing(in text: String, _ value: (String) -> String?) -> String {
        var result = ""
        var rest = Substring(text)
        while let first = rest.range(of: "{{"), let close = rest[first.upperBound...].range(of: "}}") {
            // A name holds no brace, so only the last `{{` before the `}}` can open a placeholder:
            // `{{{{x}}` still finds `{{x}}`, and a long run of braces is read once, not once per brace.
            var open = first.lowerBound
            var index = rest.index(after: open)
            while index < close.lowerBound {
                let next = rest.index(after: index)
                if next < close.lowerBound, rest[index] == "{", rest[next] == "{" { open = index }
                index = next
            }
            result += rest[..<open]
            let name = rest[rest.index(open, offsetBy: 2)..<close.lowerBound].trimmingWhitespace
            if isValidName(name), let replacement = value(name) {
                result += replacement
            } else {
                result += rest[open..<close.upperBound]  // not a placeholder, or one left as is
            }
            rest = rest[close.upperBound...]
        }
        return result + rest
    }
}
