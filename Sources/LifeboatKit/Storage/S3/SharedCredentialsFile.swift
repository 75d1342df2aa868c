/// The AWS shared credentials file (`~/.aws/credentials`): INI sections named after profiles, with
/// `key = value` lines. Comments start with `#` or `;`.
///
/// Errors name the file and line but never quote a line: it may hold a secret.
struct SharedCredentialsFile {
    struct Profile {
        /// The line of the `[name]` header, for messages.
        var line: Int
        /// Keys in lowercase.
        var values: [String: String]
    }

    var profiles: [String: Profile] = [:]

    init(parsing text: String, path: String) throws {
        var current: String?
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    throw LifeboatError(.configuration, "\(path), line \(lineNumber): a section header must look like [profile-name].")
                }
                // Unlike ~/.aws/config, the credentials file names sections without a "profile " prefix.
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = name
                if profiles[name] == nil { profiles[name] = Profile(line: lineNumber, values: [:]) }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw LifeboatError(.configuration, "\(path), line \(lineNumber): expected key = value or a [profile] header.")
            }
            guard let section = current else {
                throw LifeboatError(.configuration, "\(path), line \(lineNumber): a setting before any [profile] header; put it under [default] or another profile.")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            profiles[section]?.values[key] = value
        }
    }
}
