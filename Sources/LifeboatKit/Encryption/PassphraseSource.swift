import Foundation

/// Where the passphrase of an encrypted repository comes from, in this order: a key file (its bytes,
/// whole), a passphrase file (its first line), the environment variable, the config's
/// `passphrase_file`, then a prompt on a terminal. Passphrases never travel in process arguments,
/// where `ps` shows them.
public struct PassphraseSource: Sendable {
    /// The names a user sets for this passphrase, so messages say the right ones.
    public struct Naming: Sendable {
        public var variable: String
        public var fileOption: String
        public var keyFileOption: String?
        /// Variables naming a passphrase file and a key file (how a parent passes its options on).
        public var fileVariable: String?
        public var keyFileVariable: String?

        /// The repository a command works on.
        public static let main = Naming(variable: "LIFEBOAT_PASSPHRASE", fileOption: "--passphrase-file", keyFileOption: "--key-file",
                                        fileVariable: "LIFEBOAT_PASSPHRASE_FILE", keyFileVariable: "LIFEBOAT_KEY_FILE")
        /// The repository `copy` writes to (and `init --repository` creates).
        public static let target = Naming(variable: "LIFEBOAT_TARGET_PASSPHRASE", fileOption: "--to-passphrase-file")
        /// The passphrase `key add` adds.
        public static let new = Naming(variable: "LIFEBOAT_NEW_PASSPHRASE", fileOption: "--new-passphrase-file", keyFileOption: "--new-key-file")
    }

    public var keyFile: String?
    public var passphraseFile: String?
    public var environment: [String: String]
    public var naming: Naming
    /// Asks on a terminal (the CLI's, without echo); nil when there is none.
    public var prompt: (@Sendable (String) -> String?)?

    public static let environmentVariable = Naming.main.variable

    public init(keyFile: String? = nil, passphraseFile: String? = nil, naming: Naming = .main,
                environment: [String: String] = ProcessInfo.processInfo.environment, prompt: (@Sendable (String) -> String?)? = nil) {
        self.keyFile = keyFile ?? naming.keyFileVariable.flatMap { environment[$0] }
        self.passphraseFile = passphraseFile ?? naming.fileVariable.flatMap { environment[$0] }
        self.environment = environment
        self.naming = naming
        self.prompt = prompt
    }

    /// No passphrase from anywhere (plain repositories, tests).
    public static let none = PassphraseSource(environment: [:])

    /// The passphrase for `repository` (its location, for messages); `configured` is the config's
    /// `passphrase_file` of that repository.
    public func resolve(for repository: String, configured: String? = nil) throws -> [UInt8] {
        if let keyFile {
            guard let bytes = FileManager.default.contents(atPath: keyFile) else {
                throw LifeboatError(.usage, "cannot read the key file \(keyFile); check the path and its permissions")
            }
            guard bytes.count >= 32 else {
                throw LifeboatError(.usage, "the key file \(keyFile) holds \(bytes.count) bytes; a key file needs at least 32 (e.g. head -c 64 /dev/urandom > FILE)")
            }
            return Array(bytes)
        }
        if let file = passphraseFile ?? (environment[naming.variable] == nil ? configured : nil) {
            guard let bytes = FileManager.default.contents(atPath: file) else {
                throw LifeboatError(.usage, "cannot read the passphrase file \(file); check the path and its permissions")
            }
            let line = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
            return try Self.checked(String(line), from: "the passphrase file \(file)")
        }
        if let value = environment[naming.variable] {
            return try Self.checked(value, from: naming.variable)
        }
        if let prompt, let answer = prompt("Passphrase for \(repository): ") {
            return try Self.checked(answer, from: "the prompt")
        }
        let options = [naming.fileOption + " FILE"] + (naming.keyFileOption.map { [$0 + " FILE"] } ?? [])
        throw LifeboatError(.usage, "repository \(repository) is encrypted and no passphrase was given: set \(naming.variable), pass \(options.joined(separator: " or ")), set passphrase_file in the config, or run on a terminal to be asked")
    }

    /// A passphrase for a new key or repository: like `resolve`, but a prompt asks twice and the answers
    /// must agree (a typo would lock the data away for good).
    public func resolveNew(for repository: String, configured: String? = nil) throws -> [UInt8] {
        if keyFile == nil, passphraseFile == nil, environment[naming.variable] == nil, configured == nil, let prompt,
           let first = prompt("New passphrase for \(repository): ") {
            guard prompt("Repeat the passphrase: ") == first else {
                throw LifeboatError(.usage, "the two passphrases differ; nothing was changed")
            }
            return try Self.checked(first, from: "the prompt")
        }
        return try resolve(for: repository, configured: configured)
    }

    private static func checked(_ passphrase: String, from origin: String) throws -> [UInt8] {
        guard !passphrase.isEmpty else { throw LifeboatError(.usage, "the passphrase from \(origin) is empty") }
        return Array(passphrase.utf8)
    }
}
