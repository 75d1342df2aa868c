/// Reads an object in the `EncryptedObject` format (`LBENC001`) from `inner` and hands out its
/// plaintext, a frame at a time: each frame is read whole and its tag checked before any of its bytes
/// leave, so a reader only ever sees authenticated plaintext. Memory: one buffer of `frameSize + 16`.
///
/// Errors (`NativeError`, library `.openssl`, operation `"decrypt <inner.name>"`) name the object and the
/// frame: a frame that does not authenticate (altered, reordered, from another object, wrong key), an
/// object cut short before its final frame, a header that is not `LBENC001` or declares an absurd frame
/// size. Bytes appended after the final frame make it fail to authenticate, since the format marks its
/// end only by the end of the stored bytes.
public final class FrameDecryptingSource: ByteSource {
    public let objectName: String
    /// The frame size the header declares.
    public let frameSize: Int
    public var name: String { inner.name }
    /// Stored (encrypted) bytes read so far, header and tags included.
    public var bytesRead: Int64 { inner.bytesRead }

    // Internal, not private: the frame reading lives in FrameDecryptingSource+Frames.swift.
    let inner: any ByteSource
    let cipher: AESGCM
    var frame: FrameParameters
    var index: UInt64 = 0
    var sawFinalFrame = false
    /// One stored frame, decrypted in place; `buffer[start..<end]` is plaintext not yet handed out.
    let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0

    /// Reads and checks the header of the object in `inner`, stored under `objectName`.
    public init(inner: any ByteSource, dataKey: [UInt8], objectName: String) throws {
        let operation = "decrypt \(inner.name)"
        guard dataKey.count == AESGCM.keySize else {
            throw NativeError(.openssl, operation, "the data key is \(dataKey.count) bytes; it must be \(AESGCM.keySize)")
        }
        let header = try Self.readHeader(from: inner, objectName: objectName)
        let frameSize = EncryptedObject.frameSize(inHeader: header)
        guard (1...EncryptedObject.maxFrameSize).contains(frameSize) else {
            throw NativeError(.openssl, operation, "object \"\(objectName)\" declares a frame size of \(frameSize) bytes; this version reads 1 byte to \(EncryptedObject.maxFrameSize >> 20) MiB (a damaged header?)")
        }
        self.inner = inner
        self.objectName = objectName
        self.frameSize = frameSize
        cipher = try AESGCM(key: EncryptedObject.objectKey(dataKey: dataKey, header: header))
        frame = FrameParameters(header: header, objectName: objectName)
        buffer = .allocate(byteCount: frameSize + AESGCM.tagSize, alignment: 64)
    }

    deinit { buffer.deallocate() }

    public func read(into output: UnsafeMutableRawBufferPointer) throws -> Int {
        guard output.count > 0 else { return 0 }
        while start == end {
            if sawFinalFrame { return 0 }
            let stored = try readStoredFrame()
            if output.count >= stored - AESGCM.tagSize && stored > AESGCM.tagSize {
                // The whole frame fits the caller's buffer: decrypt straight into it, no copy. (A frame
                // that fails to authenticate leaves zeros there, never unauthenticated plaintext.)
                return try open(stored, into: output)
            }
            end = try open(stored, into: buffer)
            start = 0
        }
        let count = min(output.count, end - start)
        output.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: count)
        start += count
        return count
    }

    /// Reads and authenticates every frame left, then returns the SHA-256 of the stored (encrypted) bytes:
    /// the digest `backup.json` records.
    public func drainAndDigest() throws -> SHA256Digest {
        while !sawFinalFrame {
            _ = try open(readStoredFrame(), into: buffer)
        }
        start = 0
        end = 0
        return try inner.drainAndDigest()
    }
}
