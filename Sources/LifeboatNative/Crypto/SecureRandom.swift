import CCrypto

/// Cryptographically secure random bytes from OpenSSL's generator (seeded by the kernel), for keys,
/// salts, nonces and key ids. Never `SystemRandomNumberGenerator` for secrets: one source, one audit.
public enum SecureRandom {
    /// `count` random bytes; throws only if OpenSSL cannot seed its generator.
    public static func bytes(_ count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        guard count <= Int(Int32.max) else {
            throw NativeError(.openssl, "generate random bytes", "\(count) bytes asked for at once; at most \(Int32.max)")
        }
        var ok: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            ok = RAND_bytes(buffer.baseAddress, Int32(count))
            initialized = count
        }
        guard ok == 1 else { throw NativeError.openssl("generate random bytes") }
        return bytes
    }
}
