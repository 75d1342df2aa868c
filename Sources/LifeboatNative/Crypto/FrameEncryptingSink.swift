/// Encrypts an object on its way to `inner`, in the `EncryptedObject` format (`LBENC001`): the header at
/// once, then one AES-256-GCM frame each time `frameSize` plaintext bytes have arrived, and the final,
/// shorter frame in `finish()`. Memory: one buffer of `frameSize + 16` bytes.
///
/// `finish()` must be called, or the object ends without its final frame and every reader reports it as
/// truncated. It does not finish `inner` (the caller syncs and names the stored object). After any error
/// the object is unusable: discard it.
public final class FrameEncryptingSink: ByteSink {
    public let objectName: String
    public let frameSize: Int
    /// Plaintext bytes accepted so far.
    public private(set) var plaintextBytes: Int64 = 0

    private let inner: any ByteSink
    private let cipher: AESGCM
    private var frame: FrameParameters
    private var index: UInt64 = 0
    /// Plaintext waiting for a full frame; sealed in place, the tag written after it.
    private let buffer: UnsafeMutableRawBufferPointer
    private var filled = 0
    private var finished = false

    /// Writes the header to `inner`. `dataKey` is the repository's 32-byte data key; `objectName` is the
    /// name the object is stored and read under (it is authenticated, so an object renamed or moved is
    /// refused).
    public init(inner: any ByteSink, dataKey: [UInt8], objectName: String, frameSize: Int = EncryptedObject.defaultFrameSize) throws {
        guard (1...EncryptedObject.maxFrameSize).contains(frameSize) else {
            throw NativeError(.openssl, "encrypt \(objectName)", "frame size \(frameSize) is outside 1 byte to \(EncryptedObject.maxFrameSize >> 20) MiB")
        }
        guard dataKey.count == AESGCM.keySize else {
            throw NativeError(.openssl, "encrypt \(objectName)", "the data key is \(dataKey.count) bytes; it must be \(AESGCM.keySize)")
        }
        let header = EncryptedObject.header(frameSize: frameSize, salt: try SecureRandom.bytes(EncryptedObject.saltSize))
        self.inner = inner
        self.objectName = objectName
        self.frameSize = frameSize
        cipher = try AESGCM(key: EncryptedObject.objectKey(dataKey: dataKey, header: header))
        frame = FrameParameters(header: header, objectName: objectName)
        buffer = .allocate(byteCount: frameSize + AESGCM.tagSize, alignment: 64)
        try inner.write(header)
    }

    deinit { buffer.deallocate() }

    public func write(_ data: UnsafeRawBufferPointer) throws {
        guard !finished else { throw NativeError(.openssl, "encrypt \(objectName)", "written to after finish()") }
        guard var next = data.baseAddress else { return }
        var left = data.count
        while left > 0 {
            if filled == 0 && left >= frameSize {
                // A whole frame in the caller's memory: encrypt it from there, no copy.
                try seal(UnsafeRawBufferPointer(start: next, count: frameSize), final: false)
                next += frameSize
                left -= frameSize
                continue
            }
            let count = min(left, frameSize - filled)
            (buffer.baseAddress! + filled).copyMemory(from: next, byteCount: count)
            filled += count
            next += count
            left -= count
            if filled == frameSize {
                try seal(UnsafeRawBufferPointer(rebasing: buffer[0..<frameSize]), final: false)
                filled = 0
            }
        }
        plaintextBytes += Int64(data.count)
    }

    /// Writes the final frame (whatever is buffered, possibly nothing). Call exactly once, last.
    public func finish() throws {
        guard !finished else { throw NativeError(.openssl, "encrypt \(objectName)", "finish() called twice") }
        try seal(UnsafeRawBufferPointer(rebasing: buffer[0..<filled]), final: true)
        filled = 0
        finished = true
    }

    /// Seals one frame into `buffer` (in place when `plaintext` is the buffer) and writes it out.
    private func seal(_ plaintext: UnsafeRawBufferPointer, final: Bool) throws {
        frame.set(index: index, final: final)
        let sealed = try frame.withNonceAndAAD { nonce, aad in
            try cipher.seal(nonce: nonce, aad: aad, plaintext: plaintext, into: buffer)
        }
        try inner.write(UnsafeRawBufferPointer(rebasing: buffer[0..<sealed]))
        index += 1
    }
}
