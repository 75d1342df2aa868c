import Foundation

/// Where the passphrase of an encrypted repository comes from, in this order: a key file (its bytes,
/// whole), a passphrase file (its first line), `LIFEBOAT_PASSPHRASE`, the config's `passphrase_file`,
/// then a prompt on a terminal. Passphrases never travel in process arguments, where `ps` shows them.
public struct PassphraseSource: Sendable {
    public var keyFile: String?
    public var passphraseFile: String?
    public var environment: [String: String]
    /// Asks on a terminal (the CLI's, without echo); nil when there is none.
    public var prompt: (@Sendable (String) -> String?)?

    public static let environmentVariable = "LIFEBOAT_PASSPHRASE"

    public init(keyFile: String? = nil, passphraseFile: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment, prompt: (@Sendable (String) -> String?)? = nil) {
        self.keyFile = keyFile
        self.passphraseFile = passphraseFile
        self.environment = environment
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
        if let file = passphraseFile ?? (environment[Self.environmentVariable] == nil ? configured : nil) {
            guard let bytes = FileManager.default.contents(atPath: file) else {
                throw LifeboatError(.usage, "cannot read the passphrase file \(file); check the path and its permissions")
            }
            let line = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
            return try Self.checked(String(line), from: "the passphrase file \(file)")
        }
        if let value = environment[Self.environmentVariable] {
            return try Self.checked(value, from: Self.environmentVariable)
        }
        if let prompt, let answer = prompt("Passphrase for \(repository): ") {
            return try Self.checked(answer, from: "the prompt")
        }
        throw LifeboatError(.usage, "repository \(repository) is encrypted and no passphrase was given: set \(Self.environmentVariable), pass --passphrase-file FILE or --key-file FILE, set passphrase_file in the config, or run on a terminal to be asked")
    }

    /// A passphrase for a new key or repository: like `resolve`, but a prompt asks twice and the answers
    /// must agree (a typo would lock the data away for good).
    public func resolveNew(for repository: String, configured: String? = nil) throws -> [UInt8] {
        if keyFile == nil, passphraseFile == nil, environment[Self.environmentVariable] == nil, configured == nil, let prompt,
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
