import CCrypto

extension NativeError {
    /// An error for a failed OpenSSL call, carrying OpenSSL's own reason for the earliest queued
    /// failure. Empties OpenSSL's per-thread error queue, so a later failure does not repeat this reason.
    static func openssl(_ operation: String) -> NativeError {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return NativeError(.openssl, operation, "OpenSSL gave no reason") }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        return NativeError(.openssl, operation, String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}
