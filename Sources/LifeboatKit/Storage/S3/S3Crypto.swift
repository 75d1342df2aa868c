import CCrypto
import Foundation
import LifeboatNative

/// HMAC-SHA256, SHA-256 and MD5 from OpenSSL: what SigV4 signing and DeleteObjects' `Content-MD5` need.
/// The only file of S3Kit that calls OpenSSL directly.
enum S3Crypto {
    /// HMAC-SHA256 of `data` under `key` (OpenSSL 3's one-shot `EVP_Q_mac`).
    static func hmacSHA256(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length = 0
        let ok = withNonNullBytes(key) { keyPointer, keyCount in
            withNonNullBytes(data) { dataPointer, dataCount in
                EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil, keyPointer, keyCount, dataPointer, dataCount, &out, out.count, &length)
            }
        }
        // Only an allocation failure or a broken OpenSSL install can fail here; signing cannot go on without it.
        precondition(ok != nil && length == 32, "OpenSSL HMAC-SHA256 failed: \(opensslMessage())")
        return out
    }

    static func hmacSHA256(key: [UInt8], _ text: String) -> [UInt8] {
        hmacSHA256(key: key, Array(text.utf8))
    }

    /// Lowercase hex SHA-256 of `bytes`: the `x-amz-content-sha256` value of a payload.
    static func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String {
        let hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalize().hex
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { sha256Hex($0) }
    }

    /// Base64 MD5 of `bytes`: the `Content-MD5` header real S3 requires on DeleteObjects.
    static func md5Base64(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 16)
        var length = 0
        let ok = withNonNullBytes(bytes) { pointer, count in
            EVP_Q_digest(nil, "MD5", nil, pointer, count, &out, &length)
        }
        precondition(ok == 1 && length == 16, "OpenSSL MD5 failed: \(opensslMessage())")
        return Data(out).base64EncodedString()
    }

    static func hex(_ bytes: [UInt8]) -> String {
        SHA256Digest(bytes: bytes).hex
    }

    /// OpenSSL wants a valid pointer even for zero bytes; an empty Swift array may not have one.
    private static func withNonNullBytes<R>(
        _ bytes: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> R
    ) -> R {
        if bytes.isEmpty {
            let zero: UInt8 = 0
            return withUnsafePointer(to: zero) { body($0, 0) }
        }
        return bytes.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
    }

    private static func opensslMessage() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "no OpenSSL error queued" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
