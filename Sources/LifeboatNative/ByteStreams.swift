/// Where object bytes go: a local file, an upload to object storage, or an encryption layer in front
/// of either. Writers (tar, zstd, manifests) write to a sink without knowing which.
public protocol ByteSink: AnyObject {
    /// Writes all of `buffer`, or throws.
    func write(_ buffer: UnsafeRawBufferPointer) throws
}

extension ByteSink {
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

/// Where object bytes come from: a local file, a download from object storage, or a decryption layer
/// in front of either. Every implementation hashes the *stored* bytes it reads, so a reader that
/// consumes an object to its end has checked it against the SHA-256 recorded in `backup.json`.
public protocol ByteSource: AnyObject {
    /// The object's path or key, for messages.
    var name: String { get }
    /// Stored bytes read so far.
    var bytesRead: Int64 { get }
    /// Reads up to `buffer.count` bytes; 0 at the end of the object.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Reads whatever is left, then returns the SHA-256 of every stored byte of the object.
    func drainAndDigest() throws -> SHA256Digest
}
