import Foundation
import LifeboatNative

/// A `ByteSource` that reads one S3 object with bounded memory: ranged GETs of `chunkSize` bytes, up to
/// `readAhead` of them fetched in parallel on background threads and handed out in order.
///
/// At most `readAhead + 1` chunks are held at once. Every byte read is hashed, so `drainAndDigest()`
/// checks the object against the SHA-256 a manifest recorded. The size and ETag come from a HEAD when
/// the stream opens; each GET carries `If-Match` with that ETag, so an object replaced mid-read fails
/// with a clear error instead of mixing two versions, and the total read must equal the size.
public final class S3ReadStream: ByteSource {
    /// `s3://bucket/key`.
    public let name: String
    public let key: String
    public let size: Int64
    public let etag: String
    public private(set) var bytesRead: Int64 = 0
    private let client: S3Client
    private let chunkSize: Int64
    private let readAhead: Int
    private let hasher = SHA256Hasher()
    /// Fetches started and not yet handed out, in object order.
    private var pending: [S3ChunkFetch] = []
    private var nextOffset: Int64 = 0
    private var current = Data()
    private var position = 0
    private var failure: LifeboatError?

    /// Opens `key`; throws a `.corrupt` error naming the key if it does not exist. A caller that has
    /// just asked for the object's HEAD passes it as `head`, so it is not asked twice.
    public init(client: S3Client, key: String, chunkSize: Int? = nil, readAhead: Int? = nil,
                head known: (size: Int64, etag: String, metadata: [String: String])? = nil) throws {
        self.client = client
        self.key = key
        name = client.url(of: key)
        self.chunkSize = Int64(max(1, chunkSize ?? client.settings.readChunkSize))
        self.readAhead = max(1, readAhead ?? client.settings.maxParallel)
        guard let head = try known ?? client.head(key: key) else {
            throw LifeboatError(.corrupt, "\(client.url(of: key)) is missing: the object was deleted or never written; run lifeboat verify to see which backups need it.")
        }
        size = head.size
        etag = head.etag
        fillWindow()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        guard try advance() else { return 0 }
        let n = min(buffer.count, current.count - position)
        current.withUnsafeBytes { bytes in
            let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<position + n])
            buffer.copyMemory(from: slice)
            hasher.update(slice)
        }
        position += n
        bytesRead += Int64(n)
        return n
    }

    /// Hashes whatever is left straight from the fetched chunks, then returns the object's SHA-256.
    public func drainAndDigest() throws -> SHA256Digest {
        while try advance() {
            current.withUnsafeBytes { bytes in hasher.update(UnsafeRawBufferPointer(rebasing: bytes[position...])) }
            bytesRead += Int64(current.count - position)
            position = current.count
        }
        return hasher.finalize()
    }

    /// Makes sure `current` has unread bytes; false at the end of the object (after checking that the
    /// whole object was read).
    private func advance() throws -> Bool {
        if let failure { throw failure }
        while position == current.count {
            guard !pending.isEmpty else {
                guard bytesRead == size else {
                    throw fail(LifeboatError(.corrupt, "\(name): read \(bytesRead) bytes, but S3 reported \(size); the object changed or is damaged; read it again, then run lifeboat verify."))
                }
                return false
            }
            current = Data()
            position = 0
            let fetch = pending.removeFirst()
            fillWindow()
            switch fetch.wait() {
            case .success(let data): current = data
            case .failure(let error): throw fail(error)
            }
        }
        return true
    }

    /// Starts fetches until `readAhead` are in flight or the object is covered.
    private func fillWindow() {
        while pending.count < readAhead && nextOffset < size {
            let range = nextOffset..<min(size, nextOffset + chunkSize)
            nextOffset = range.upperBound
            pending.append(S3ChunkFetch(client: client, key: key, range: range, etag: etag))
        }
    }

    private func fail(_ error: LifeboatError) -> LifeboatError {
        failure = error
        pending.removeAll()
        current = Data()
        position = 0
        return error
    }
}
