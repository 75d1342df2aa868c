import Glibc

/// The one error type of LifeboatNative: which library failed, in which operation, and the library's
/// own message (never a secret).
public struct NativeError: Error, Sendable, CustomStringConvertible {
    public enum Library: String, Sendable {
        case libarchive, zstd, openssl, posix
    }

    public let library: Library
    public let operation: String
    public let message: String
    /// `errno` when the failure came from a system call.
    public let errno: Int32?
    /// True when reading the file being backed up failed (it vanished, is unreadable, changed type):
    /// the backup can skip that file and go on. False for failures writing the repository.
    public var isSourceError = false

    public init(_ library: Library, _ operation: String, _ message: String, errno: Int32? = nil) {
        self.library = library
        self.operation = operation
        self.message = message
        self.errno = errno
    }

    /// The same error, marked as a failure to read a source file.
    func source() -> NativeError {
        var copy = self
        copy.isSourceError = true
        return copy
    }

    /// An error from a failed system call, reading the current `errno`.
    public static func posix(_ operation: String, path: String? = nil, errno code: Int32 = Glibc.errno) -> NativeError {
        let text = String(cString: strerror(code))
        let subject = path.map { "\(operation) \($0)" } ?? operation
        return NativeError(.posix, subject, text, errno: code)
    }

    public var description: String { "\(operation): \(message)" }
}
