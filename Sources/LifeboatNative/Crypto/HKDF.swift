import CCrypto

/// HKDF-SHA256 (RFC 5869): derives independent keys from one secret, e.g. one key per object from the
/// repository's data key. Built on OpenSSL's HMAC-SHA256 (`EVP_Q_mac`).
public enum HKDF {
    /// `length` bytes (1 to 8160) of output keying material. An empty `salt` means 32 zero bytes, as the
    /// RFC specifies.
    public static func sha256(ikm: [UInt8], salt: [UInt8], info: [UInt8], length: Int) throws -> [UInt8] {
        guard (1...255 * 32).contains(length) else {
            throw NativeError(.openssl, "derive a key with HKDF", "\(length) bytes asked for; HKDF-SHA256 gives 1 to \(255 * 32)")
        }
        // Extract: one pseudorandom key from the input secret.
        let prk = try hmacSHA256(key: salt.isEmpty ? [UInt8](repeating: 0, count: 32) : salt, data: ikm)
        // Expand: T(i) = HMAC(PRK, T(i-1) | info | i), concatenated and cut to length.
        var output = [UInt8]()
        output.reserveCapacity(length + 32)
        var block = [UInt8]()
        var counter: UInt8 = 1
        while output.count < length {
            block = try hmacSHA256(key: prk, data: block + info + [counter])
            output += block
            counter &+= 1
        }
        return Array(output.prefix(length))
    }

    /// HMAC-SHA256 of `data` under `key`.
    static func hmacSHA256(key: [UInt8], data: [UInt8]) throws -> [UInt8] {
        var written = 0
        var mac = [UInt8](repeating: 0, count: 32)
        let ok = withNonNullBytes(key) { key in
            withNonNullBytes(data) { data in
                mac.withUnsafeMutableBufferPointer { out in
                    EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil, key.baseAddress, key.count,
                              data.baseAddress!.assumingMemoryBound(to: UInt8.self), data.count,
                              out.baseAddress, out.count, &written) != nil
                }
            }
        }
        guard ok, written == 32 else { throw NativeError.openssl("compute HMAC-SHA256") }
        return mac
    }
}
