import CCrypto

/// AES-256-GCM over one OpenSSL cipher context. The key is scheduled once, in `init`; every message
/// then re-initialises the same context with just its nonce, so a stream of frames costs no allocation
/// and no key schedule per frame. Callers must never reuse a nonce under one key.
///
/// Not `Sendable`: an instance belongs to one stream, used from one task at a time.
public final class AESGCM {
    public static let keySize = 32
    public static let nonceSize = 12
    public static let tagSize = 16

    private let context: OpaquePointer

    /// Prepares a context for `key` (32 bytes). The key is held only inside OpenSSL, which wipes it when
    /// the context is freed.
    public init(key: [UInt8]) throws {
        guard key.count == Self.keySize else {
            throw NativeError(.openssl, "set up AES-256-GCM", "the key is \(key.count) bytes; AES-256 needs \(Self.keySize)")
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw NativeError.openssl("allocate a cipher context") }
        let ready = EVP_CipherInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil, 1) == 1
            && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(Self.nonceSize), nil) == 1
            && EVP_CipherInit_ex(context, nil, nil, key, nil, 1) == 1
        guard ready else {
            let error = NativeError.openssl("set up AES-256-GCM")
            EVP_CIPHER_CTX_free(context)
            throw error
        }
        self.context = context
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Encrypts `plaintext` into `output` as ciphertext followed by the 16-byte tag, and returns the
    /// bytes written (`plaintext.count + 16`). `output` may start at `plaintext`'s address (in place)
    /// but must not overlap it otherwise.
    public func seal(
        nonce: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer,
        plaintext: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws -> Int {
        let count = plaintext.count
        guard output.count >= count + Self.tagSize, let out = output.baseAddress else {
            throw NativeError(.openssl, "encrypt", "the output holds \(output.count) bytes; \(count + Self.tagSize) are needed")
        }
        try start(nonce: nonce, aad: aad, encrypting: true)
        guard update(plaintext, into: out), finish(EVP_EncryptFinal_ex),
              EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagSize), out + count) == 1
        else { throw NativeError.openssl("encrypt") }
        return count + Self.tagSize
    }

    /// Decrypts `sealed` (ciphertext then tag) into `output` and returns the plaintext size, or nil when
    /// the tag does not match: wrong key, nonce or AAD, or altered bytes. On nil, `output` is zeroed, so
    /// unauthenticated plaintext is never left behind. `output` may start at `sealed`'s address.
    public func open(
        nonce: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer,
        sealed: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws -> Int? {
        guard sealed.count >= Self.tagSize, let sealedBase = sealed.baseAddress else { return nil }
        let count = sealed.count - Self.tagSize
        guard output.count >= count else {
            throw NativeError(.openssl, "decrypt", "the output holds \(output.count) bytes; \(count) are needed")
        }
        try start(nonce: nonce, aad: aad, encrypting: false)
        let wipe = { if count > 0 { output.baseAddress!.initializeMemory(as: UInt8.self, repeating: 0, count: count) } }
        let tag = UnsafeMutableRawPointer(mutating: sealedBase + count)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(Self.tagSize), tag) == 1,
              update(UnsafeRawBufferPointer(rebasing: sealed[0..<count]), into: output.baseAddress)
        else {
            wipe()
            throw NativeError.openssl("decrypt")
        }
        guard finish(EVP_DecryptFinal_ex) else {
            ERR_clear_error()
            wipe()
            return nil
        }
        return count
    }

    /// Points the context at a new message: same key, new nonce and direction, then the AAD.
    private func start(nonce: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer, encrypting: Bool) throws {
        guard nonce.count == Self.nonceSize else {
            throw NativeError(.openssl, encrypting ? "encrypt" : "decrypt", "the nonce is \(nonce.count) bytes; GCM here uses \(Self.nonceSize)")
        }
        guard EVP_CipherInit_ex(context, nil, nil, nil, constUChar(nonce.baseAddress!), encrypting ? 1 : 0) == 1
        else { throw NativeError.openssl(encrypting ? "encrypt" : "decrypt") }
        guard aad.count > 0 else { return }
        guard update(aad, into: nil) else { throw NativeError.openssl(encrypting ? "encrypt" : "decrypt") }
    }

    /// Runs OpenSSL's final step. GCM writes no bytes there, so a scratch byte stands in for the output
    /// (which may be empty).
    private func finish(_ final: (OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Int32>?) -> Int32) -> Bool {
        var scratch: UInt8 = 0
        var written: Int32 = 0
        return final(context, &scratch, &written) == 1 && written == 0
    }

    /// Feeds `input` through the cipher in pieces OpenSSL's `int` lengths can count; `output` nil means
    /// the input is AAD.
    private func update(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawPointer?) -> Bool {
        guard let base = input.baseAddress, input.count > 0 else { return true }
        let piece = 1 << 30
        var offset = 0
        while offset < input.count {
            let length = min(piece, input.count - offset)
            var written: Int32 = 0
            let ok = EVP_CipherUpdate(context, output.map { uchar($0 + offset) }, &written, constUChar(base + offset), Int32(length))
            guard ok == 1, output == nil || Int(written) == length else { return false }
            offset += length
        }
        return true
    }
}

/// OpenSSL's `unsigned char *` views of raw memory (bytes have no other type to bind).
@inline(__always) private func uchar(_ pointer: UnsafeMutableRawPointer) -> UnsafeMutablePointer<UInt8> {
    pointer.assumingMemoryBound(to: UInt8.self)
}

@inline(__always) private func constUChar(_ pointer: UnsafeRawPointer) -> UnsafePointer<UInt8> {
    pointer.assumingMemoryBound(to: UInt8.self)
}
