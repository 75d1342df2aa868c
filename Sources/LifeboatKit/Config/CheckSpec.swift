/// One application check of a service, run against its restored copy during a verification.
public struct CheckSpec: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A shell command (`sh -c`), run with `LIFEBOAT_TARGET` set to the restored tree; exit 0 passes.
        case command(String)
        /// A SQL query against a restored SQLite database; passes when it runs and, if `expect` is set,
        /// its first row's columns joined by `|` equal `expect`.
        case sql(String, expect: String?)
    }

    public var kind: Kind
    /// How long the check may take before it is stopped and counted as failed.
    public var timeout: LifeboatDuration
    /// A short name for reports (the command or query, shortened when long).
    public var name: String

    public static let defaultTimeout = LifeboatDuration.minutes(5)

    public init(kind: Kind, timeout: LifeboatDuration = CheckSpec.defaultTimeout, name: String? = nil) {
        self.kind = kind
        self.timeout = timeout
        switch kind {
        case .command(let text), .sql(let text, _):
            self.name = name ?? (text.count > 60 ? String(text.prefix(57)) + "..." : text)
        }
    }
}
