/// One-message AES-256-GCM over byte arrays, for small secrets such as a wrapped data key. Streams use an
/// `AESGCM` instance instead, which keeps its context across frames.
extension AESGCM {
    /// Ciphertext followed by the 16-byte tag.
    public static func seal(key: [UInt8], nonce: [UInt8], plaintext: UnsafeRawBufferPointer, aad: [UInt8] = []) throws -> [UInt8] {
        let cipher = try AESGCM(key: key)
        let size = plaintext.count + tagSize
        var failure: (any Error)?
        let sealed = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            do {
                initialized = try nonce.withUnsafeBytes { nonce in
                    try aad.withUnsafeBytes { aad in
                        try cipher.seal(nonce: nonce, aad: aad, plaintext: plaintext, into: UnsafeMutableRawBufferPointer(buffer))
                    }
                }
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return sealed
    }

    public static func seal(key: [UInt8], nonce: [UInt8], plaintext: [UInt8], aad: [UInt8] = []) throws -> [UInt8] {
        try plaintext.withUnsafeBytes { try seal(key: key, nonce: nonce, plaintext: $0, aad: aad) }
    }

    /// The plaintext of `sealed` (ciphertext then tag); throws when it does not authenticate under this
    /// key, nonce and AAD.
    public static func open(key: [UInt8], nonce: [UInt8], sealed: [UInt8], aad: [UInt8] = []) throws -> [UInt8] {
        let cipher = try AESGCM(key: key)
        var opened: Int?
        var failure: (any Error)?
        let plaintext = [UInt8](unsafeUninitializedCapacity: max(sealed.count - tagSize, 0)) { buffer, initialized in
            do {
                opened = try nonce.withUnsafeBytes { nonce in
                    try aad.withUnsafeBytes { aad in
                        try sealed.withUnsafeBytes { sealed in
                            try cipher.open(nonce: nonce, aad: aad, sealed: sealed, into: UnsafeMutableRawBufferPointer(buffer))
                        }
                    }
                }
            } catch {
                failure = error
            }
            initialized = opened ?? 0
        }
        if let failure { throw failure }
        guard opened != nil else {
            throw NativeError(.openssl, "decrypt", "the data does not authenticate: a different key, nonce or associated data, or altered bytes")
        }
        return plaintext
    }
}
