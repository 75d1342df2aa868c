/// Quoting a value for a POSIX shell (`sh`, `bash`), one function per place a value can stand in a
/// shell line. Each keeps the value one literal word: no expansion, no command substitution, no word
/// splitting, no globbing.
enum ShellQuote {
    /// Characters that mean nothing to a shell anywhere in a word (no `=`: `A=b` in command position is
    /// an assignment; no `~`, braces, globs or quotes).
    private static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || "_./:@%+,-".unicodeScalars.contains(scalar)
    }

    /// Whether `value` can stand unquoted anywhere (an IP address, a host name, most paths).
    static func isPlain(_ value: String) -> Bool { !value.isEmpty && value.unicodeScalars.allSatisfy(isPlain) }

    /// A word outside any quotes: as is when plain, else in single quotes (`'` written as `'\''`).
    static func word(_ value: String) -> String {
        isPlain(value) ? value : "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// Inside `'…'`: closes the quotes around each `'` of the value.
    static func insideSingleQuotes(_ value: String) -> String { value.replacingOccurrences(of: "'", with: #"'\''"#) }

    /// Inside `"…"`: `\`, `"`, `$` and backquote escaped.
    static func insideDoubleQuotes(_ value: String) -> String { escaping(value, #"\"$`"#) }

    /// Inside `$'…'`: `\` and `'` escaped.
    static func insideANSIQuotes(_ value: String) -> String { escaping(value, #"\'"#) }

    /// In the body of a here-document whose delimiter is not quoted: `\`, `$` and backquote escaped.
    static func insideHereDocument(_ value: String) -> String { escaping(value, #"\$`"#) }

    private static func escaping(_ value: String, _ special: String) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            if special.unicodeScalars.contains(scalar) { result += "\\" }
            result.unicodeScalars.append(scalar)
        }
        return result
    }
}
