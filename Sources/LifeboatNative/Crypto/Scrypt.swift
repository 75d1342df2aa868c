import CCrypto

/// scrypt (RFC 7914): turns a passphrase into a key-encryption key, slowly and memory-hard on purpose.
public enum Scrypt {
    /// The most memory one derivation may take. The parameters come from a key record on disk: a damaged
    /// or hostile record must not be able to make a restore allocate without bound.
    public static let memoryLimit: UInt64 = 2 << 30

    /// Bytes OpenSSL allocates for these parameters (`128·r·(N+2)` for the table, `128·r·p` for the
    /// blocks), or nil when that does not fit in 64 bits.
    public static func memoryNeeded(n: UInt64, r: UInt64, p: UInt64) -> UInt64? {
        let (block, o1) = r.multipliedReportingOverflow(by: 128)
        let (np2, o2) = n.addingReportingOverflow(2)
        let (table, o3) = block.multipliedReportingOverflow(by: np2)
        let (blocks, o4) = block.multipliedReportingOverflow(by: p)
        let (total, o5) = table.addingReportingOverflow(blocks)
        return o1 || o2 || o3 || o4 || o5 ? nil : total
    }

    /// `length` bytes derived from `passphrase` and `salt`. `n` is a power of two above 1; `r` and `p`
    /// are at least 1; memory use stays under `memoryLimit`.
    public static func deriveKey(passphrase: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, length: Int) throws -> [UInt8] {
        let operation = "derive a key with scrypt"
        guard n > 1, n & (n - 1) == 0, r >= 1, p >= 1, length >= 1 else {
            throw NativeError(.openssl, operation, "unusable parameters N=\(n) r=\(r) p=\(p) (N must be a power of two above 1, r and p at least 1)")
        }
        guard let needed = memoryNeeded(n: n, r: r, p: p), needed <= memoryLimit else {
            throw NativeError(.openssl, operation, "parameters N=\(n) r=\(r) p=\(p) need more than the \(memoryLimit >> 20) MiB allowed (a damaged or hostile key record?)")
        }
        // OpenSSL refuses to run unless `maxmem` covers what it allocates; a little slack on top.
        let maxmem = needed + (1 << 20)
        var ok: Int32 = 0
        let key = [UInt8](unsafeUninitializedCapacity: length) { out, initialized in
            ok = withNonNullBytes(passphrase) { pass in
                withNonNullBytes(salt) { salt in
                    EVP_PBE_scrypt(pass.baseAddress!.assumingMemoryBound(to: CChar.self), pass.count,
                                   salt.baseAddress!.assumingMemoryBound(to: UInt8.self), salt.count,
                                   n, r, p, maxmem, out.baseAddress, length)
                }
            }
            initialized = length
        }
        guard ok == 1 else { throw NativeError.openssl(operation) }
        return key
    }
}

/// Calls `body` with the bytes of `array`, whose base address is never nil (an empty array gets a
/// pointer to a spare byte and a count of 0), for C functions that reject NULL.
func withNonNullBytes<R>(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    if array.isEmpty {
        var spare: UInt8 = 0
        return try withUnsafeBytes(of: &spare) { try body(UnsafeRawBufferPointer(start: $0.baseAddress, count: 0)) }
    }
    return try array.withUnsafeBytes(body)
}
