/// The repository's data key, sealed under a key derived from a passphrase, as stored in JSON:
///
/// ```json
/// { "id": "9f86d081884c7d65", "created": "2025-01-31T12:00:00Z", "kdf": "scrypt",
///   "n": 32768, "r": 8, "p": 1, "salt": "<base64, 16 bytes>", "nonce": "<base64, 12 bytes>",
///   "wrapped": "<base64, 48 bytes>" }
/// ```
///
/// `wrapped` = AES-256-GCM(key: scrypt(passphrase, salt, N, r, p) → 32 bytes, nonce, plaintext: the
/// 32-byte data key, AAD: "lifeboat data key v1" followed by `id`), ciphertext then tag. Several
/// records can wrap the same data key under different passphrases; changing a passphrase rewraps the
/// key without touching any object. `created` is not authenticated: it is informational.
///
/// `check` (since records carry one) is the SHA-256 of the other fields but `created` (`checksum`):
/// it depends on no secret, so damage to the salt, nonce, parameters or wrapped key is told apart
/// from a wrong passphrase before scrypt runs (AES-GCM alone cannot tell the two apart). It is an
/// integrity check against damage, not against an attacker, who can recompute it: the AES-GCM tag
/// stays what authenticates the key.
public struct WrappedKey: Sendable, Equatable, CustomStringConvertible {
    public static let defaultN: UInt64 = 32768
    public static let defaultR: UInt64 = 8
    public static let defaultP: UInt64 = 1
    static let aadPrefix: [UInt8] = Array("lifeboat data key v1".utf8)

    /// 16 hex characters, random: names the record in messages and binds the AAD.
    public let id: String
    /// ISO-8601 time the caller gave when wrapping.
    public let created: String
    /// Always "scrypt" in this version.
    public let kdf: String
    public let n: UInt64
    public let r: UInt64
    public let p: UInt64
    public let salt: [UInt8]
    public let nonce: [UInt8]
    public let wrapped: [UInt8]
    /// `checksum` as hex, as stored; nil in records written before it existed.
    public let check: String?

    /// Whether the record is as written: nil when it has no `check` (an older record: damage then
    /// looks like a wrong passphrase), else whether `check` matches its fields.
    public var isIntact: Bool? {
        check.map { $0 == Self.checksum(id: id, kdf: kdf, n: n, r: r, p: p, salt: salt, nonce: nonce, wrapped: wrapped) }
    }

    /// SHA-256 (lowercase hex) of `"lifeboat key check v1\n"` followed by `id`, `kdf`, `n`, `r`, `p`
    /// (decimal) and `salt`, `nonce`, `wrapped` (standard base64), each ended by `"\n"`.
    public static func checksum(
        id: String, kdf: String, n: UInt64, r: UInt64, p: UInt64, salt: [UInt8], nonce: [UInt8], wrapped: [UInt8]
    ) -> String {
        let fields = [id, kdf, "\(n)", "\(r)", "\(p)", Base64.encode(salt), Base64.encode(nonce), Base64.encode(wrapped)]
        let text = "lifeboat key check v1\n" + fields.map { $0 + "\n" }.joined()
        return SHA256Hasher.digest(Array(text.utf8)).hex
    }

    /// Names the record without printing its contents.
    public var description: String { "data key \(id) (\(kdf) N=\(n) r=\(r) p=\(p), created \(created))" }

    /// A new random 32-byte data key, for a new repository.
    public static func newDataKey() throws -> [UInt8] {
        try SecureRandom.bytes(AESGCM.keySize)
    }

    /// Seals `dataKey` under `passphrase` with fresh salt, nonce and id. Takes as long as scrypt with
    /// these parameters (about 0.1 s at the defaults).
    public static func wrap(
        dataKey: [UInt8], passphrase: [UInt8], created: String,
        n: UInt64 = defaultN, r: UInt64 = defaultR, p: UInt64 = defaultP
    ) throws -> WrappedKey {
        guard dataKey.count == AESGCM.keySize else {
            throw NativeError(.openssl, "wrap data key", "the data key is \(dataKey.count) bytes; it must be \(AESGCM.keySize)")
        }
        let id = hex(try SecureRandom.bytes(8))
        let salt = try SecureRandom.bytes(16)
        let nonce = try SecureRandom.bytes(AESGCM.nonceSize)
        let kek = try Scrypt.deriveKey(passphrase: passphrase, salt: salt, n: n, r: r, p: p, length: AESGCM.keySize)
        let wrapped = try AESGCM.seal(key: kek, nonce: nonce, plaintext: dataKey, aad: aadPrefix + Array(id.utf8))
        let check = checksum(id: id, kdf: "scrypt", n: n, r: r, p: p, salt: salt, nonce: nonce, wrapped: wrapped)
        return WrappedKey(id: id, created: created, kdf: "scrypt", n: n, r: r, p: p, salt: salt, nonce: nonce, wrapped: wrapped, check: check)
    }

    /// The data key. Throws when `passphrase` does not open this record (a different passphrase, or an
    /// altered record: AES-GCM cannot tell them apart; `isIntact` can, for records with a `check`),
    /// or when the record is malformed.
    public func unwrap(passphrase: [UInt8]) throws -> [UInt8] {
        let operation = "unwrap data key \(id)"
        guard kdf == "scrypt" else {
            throw NativeError(.openssl, operation, "it uses key derivation \"\(kdf)\"; this version of Lifeboat knows only scrypt")
        }
        guard !salt.isEmpty, nonce.count == AESGCM.nonceSize, wrapped.count == AESGCM.keySize + AESGCM.tagSize else {
            throw NativeError(.openssl, operation, "the record is malformed: salt \(salt.count) bytes, nonce \(nonce.count) (12 expected), wrapped key \(wrapped.count) (48 expected)")
        }
        let kek = try Scrypt.deriveKey(passphrase: passphrase, salt: salt, n: n, r: r, p: p, length: AESGCM.keySize)
        let cipher = try AESGCM(key: kek)
        var dataKey = [UInt8](repeating: 0, count: AESGCM.keySize)
        let opened = try nonce.withUnsafeBytes { nonce in
            try (Self.aadPrefix + Array(id.utf8)).withUnsafeBytes { aad in
                try wrapped.withUnsafeBytes { sealed in
                    try dataKey.withUnsafeMutableBytes { try cipher.open(nonce: nonce, aad: aad, sealed: sealed, into: $0) }
                }
            }
        }
        guard opened == AESGCM.keySize else {
            throw NativeError(.openssl, operation, "the passphrase does not open this key (a different passphrase, or the key record was altered)")
        }
        return dataKey
    }

    static func hex(_ bytes: [UInt8]) -> String {
        SHA256Digest(bytes: bytes).hex
    }
}
