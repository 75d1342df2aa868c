import Foundation
import LifeboatNative

/// A `ByteSink` that stores one object in S3 with bounded memory.
///
/// Bytes are buffered up to `partSize`. An object that fits in one part goes up in a single PUT from
/// `finish()`; a larger one becomes a multipart upload with up to `maxParallel` parts in flight, so at
/// most `maxParallel + 1` part buffers exist at once (the writer blocks while all slots are busy). Each
/// part is retried on its own by S3Client; a part that still fails aborts the upload, and the next
/// `write` or `finish` throws its error.
///
/// Use from one thread at a time. `finish()` or `abort()` it; if neither happens (an error unwound the
/// writer), `deinit` aborts the upload so no parts are left to cost storage. A crash leaves the upload
/// behind; `S3Client.listMultipartUploads(prefix:)` finds it.
public final class S3UploadStream: ByteSink {
    public let key: String
    private let client: S3Client
    private let metadata: [String: String]
    private let partSize: Int
    private let hasher = SHA256Hasher()
    private var buffer = Data()
    private var size: Int64 = 0
    private var uploadID: String?
    private var nextPart = 1
    private let parts: S3PartUploads
    private var state = State.open
    /// Why aborting the multipart upload failed, if it did (the upload then lingers until found by
    /// `listMultipartUploads`).
    public private(set) var abortFailure: LifeboatError?
    /// Bytes accepted so far.
    public var bytesWritten: Int64 { size }

    private enum State {
        case open, finished, aborted
        case failed(LifeboatError)
    }

    public init(client: S3Client, key: String, metadata: [String: String] = [:]) throws {
        try client.validate(key: key)
        _ = try client.metadataHeaders(metadata, key: key)
        self.client = client
        self.key = key
        self.metadata = metadata
        partSize = client.settings.partSize
        parts = S3PartUploads(slots: client.settings.maxParallel)
        buffer.reserveCapacity(partSize)
    }

    deinit {
        switch state {
        case .open, .failed: abort()
        case .finished, .aborted: break
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try checkOpen()
        hasher.update(bytes)
        var offset = 0
        while offset < bytes.count {
            // Send a full buffer only once more bytes arrive: an object of exactly one part stays a PUT.
            if buffer.count == partSize { try guarded { try sendPart() } }
            let n = min(partSize - buffer.count, bytes.count - offset)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n]))
            offset += n
        }
        size += Int64(bytes.count)
    }

    /// Completes the upload, then HEADs the object and checks its size; returns the size and the
    /// SHA-256 of every byte written.
    public func finish() throws -> (size: Int64, sha256: SHA256Digest) {
        try checkOpen()
        try guarded {
            if let uploadID {
                if !buffer.isEmpty { try sendPart() }
                parts.waitForAll()
                if let failure = parts.failure { throw failure }
                let etags = parts.etags
                guard etags.count == nextPart - 1 else {
                    throw LifeboatError(.io, "S3 multipart upload of \(client.url(of: key)) has \(etags.count) of \(nextPart - 1) parts; run the backup again.")
                }
                try client.completeMultipartUpload(key: key, uploadID: uploadID, parts: etags)
            } else {
                try client.put(key: key, body: buffer, metadata: metadata)
            }
        }
        state = .finished
        buffer = Data()
        guard let stored = try client.head(key: key) else {
            throw LifeboatError(.io, "S3 upload of \(client.url(of: key)) completed, but the object is not there: something deleted it at once (a lifecycle rule?); run the backup again.")
        }
        guard stored.size == size else {
            throw LifeboatError(.corrupt, "S3 upload of \(client.url(of: key)) stored \(stored.size) bytes, but \(size) were written: the object is damaged; run the backup again.")
        }
        return (size, hasher.finalize())
    }

    /// Abandons the upload: waits for parts in flight, then aborts the multipart upload (nothing to do
    /// for an object not yet sent). Never throws; see `abortFailure`.
    public func abort() {
        switch state {
        case .finished, .aborted: return
        case .open, .failed: break
        }
        state = .aborted
        buffer = Data()
        parts.cancel()
        parts.waitForAll()
        guard let uploadID else { return }
        do {
            try client.abortMultipartUpload(key: key, uploadID: uploadID)
        } catch {
            abortFailure = error as? LifeboatError ?? LifeboatError(.io, "S3 abort of \(client.url(of: key)) failed: \(error)", cause: error)
        }
    }

    private func checkOpen() throws {
        switch state {
        case .open:
            if let failure = parts.failure {
                abort()
                state = .failed(failure)
                throw failure
            }
        case .failed(let failure):
            throw failure
        case .finished:
            throw LifeboatError(.usage, "S3 upload of \(client.url(of: key)) is already finished; start a new S3UploadStream to write again.")
        case .aborted:
            throw LifeboatError(.usage, "S3 upload of \(client.url(of: key)) was aborted; start a new S3UploadStream to write again.")
        }
    }

    /// Runs `body`; on failure aborts the upload and remembers the error for later calls.
    private func guarded(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            let failure = error as? LifeboatError ?? LifeboatError(.io, "S3 upload of \(client.url(of: key)) failed: \(error)", cause: error)
            abort()
            state = .failed(failure)
            throw failure
        }
    }

    /// Hands the buffer to a background upload, first starting the multipart upload if needed.
    private func sendPart() throws {
        let uploadID = try self.uploadID ?? client.createMultipartUpload(key: key, metadata: metadata)
        self.uploadID = uploadID
        guard nextPart <= 10_000 else {
            throw LifeboatError(.configuration, "S3 object \(client.url(of: key)) needs more than 10,000 parts of \(partSize) bytes: raise partSize.")
        }
        let body = buffer
        buffer = Data()
        buffer.reserveCapacity(partSize)
        try parts.start(client: client, key: key, uploadID: uploadID, partNumber: nextPart, body: body)
        nextPart += 1
    }
}
