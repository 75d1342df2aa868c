/// The one error type of LifeboatKit.
///
/// `message` says what went wrong *and what to do about it*; `code` decides the exit status the CLI
/// maps it to (see the README's exit codes). Secrets never appear in messages.
public struct LifeboatError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; extensible without breaking callers that switch on `exitCode`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A configuration file is missing or invalid.
        public static let configuration = Code("configuration")
        /// The command line asked for something impossible (unknown service, non-empty target...).
        public static let usage = Code("usage")
        /// The repository is missing, of an unknown format, or already exists.
        public static let repository = Code("repository")
        /// Another process holds the lock this operation needs.
        public static let locked = Code("locked")
        /// Data in the repository is damaged or missing.
        public static let corrupt = Code("corrupt")
        /// Reading sources or writing targets failed.
        public static let io = Code("io")
        /// The catalog database could not be opened or written.
        public static let catalog = Code("catalog")
        /// A scheduled job was no longer needed once its lock was held: another process did it meanwhile.
        public static let superseded = Code("superseded")
        /// The backup asked for was removed by `prune` (its tombstone says when); not damage.
        public static let removed = Code("removed")
        /// The operation was cancelled (signal or task cancellation).
        public static let interrupted = Code("interrupted")
    }

    public var code: Code
    public var message: String
    /// Extra lines shown with `--verbose` (the underlying library error, paths, hints).
    public var details: [String]
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, details: [String] = [], cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.details = details
        self.cause = cause
    }

    public var description: String { message }

    /// The message plus details and the cause chain, for `--verbose`.
    public var detailedDescription: String {
        var lines = [message]
        lines.append(contentsOf: details.map { "  " + $0 })
        if let cause { lines.append("  caused by: \(cause)") }
        return lines.joined(separator: "\n")
    }
}
