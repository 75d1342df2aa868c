/// The format of an encrypted object, version 1. `FrameEncryptingSink` writes it and
/// `FrameDecryptingSource` reads it; `docs/encryption-format.md` says the same for the repository documentation.
///
/// ```
/// header (32 bytes)   "LBENC001" | frame size, UInt32 big-endian | 4 zero bytes | 16-byte random salt
/// frame 0             AES-256-GCM ciphertext of frameSize plaintext bytes | 16-byte tag
/// ...                 (every frame but the last holds exactly frameSize plaintext bytes)
/// frame k (final)     ciphertext of 0 to frameSize-1 plaintext bytes | 16-byte tag
/// ```
///
/// - Object key = HKDF-SHA256(ikm: data key, salt: header salt, info: "lifeboat object v1"), 32 bytes.
///   A fresh key per object is what makes a frame counter safe as the nonce.
/// - Nonce of frame i (12 bytes) = 4 zero bytes | UInt64 big-endian i.
/// - AAD of frame i = the 32 header bytes | UTF-8 object name | UInt64 big-endian i | final flag
///   (1 byte: 1 on the last frame, else 0). So a frame authenticates only at its own position, in its
///   own object, under its own header, and only the last frame can end the object.
/// - The last frame is always present and always shorter than frameSize (an object whose length is a
///   multiple of frameSize ends with an empty final frame): a reader recognises it as the frame that
///   ends the stored bytes early, and an object cut at a frame boundary lacks it.
/// - Stored size = 32 + (plaintext / frameSize + 1) · 16 + plaintext.
public enum EncryptedObject {
    public static let magic: [UInt8] = Array("LBENC001".utf8)
    public static let headerSize = 32
    public static let saltSize = 16
    public static let tagSize = AESGCM.tagSize
    public static let defaultFrameSize = 1 << 20
    /// The largest frame a reader accepts. The frame size is read before anything is authenticated, so
    /// this bound is what keeps a damaged header from asking for gigabytes of buffer.
    public static let maxFrameSize = 64 << 20
    static let keyInfo: [UInt8] = Array("lifeboat object v1".utf8)

    /// Stored size of an object holding `plaintextSize` bytes in frames of `frameSize`.
    public static func storedSize(plaintextSize: Int64, frameSize: Int) -> Int64 {
        Int64(headerSize) + (plaintextSize / Int64(frameSize) + 1) * Int64(tagSize) + plaintextSize
    }

    /// The 32 header bytes.
    static func header(frameSize: Int, salt: [UInt8]) -> [UInt8] {
        precondition(salt.count == saltSize && (1...maxFrameSize).contains(frameSize))
        var header = magic
        header += bigEndianBytes(UInt32(frameSize))
        header += [0, 0, 0, 0]
        header += salt
        return header
    }

    /// The frame size a header declares (not yet authenticated: frame 0's tag covers it).
    static func frameSize(inHeader header: [UInt8]) -> Int {
        Int(header[8..<12].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }

    /// The key of the object with this header.
    static func objectKey(dataKey: [UInt8], header: [UInt8]) throws -> [UInt8] {
        try HKDF.sha256(ikm: dataKey, salt: Array(header[16..<32]), info: keyInfo, length: AESGCM.keySize)
    }

    static func bigEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}

/// The nonce and AAD of one frame, rebuilt in place for each frame so a stream allocates nothing per frame.
struct FrameParameters {
    private var nonce = [UInt8](repeating: 0, count: AESGCM.nonceSize)
    /// header | object name | index (8) | final flag (1)
    private var aad: [UInt8]

    init(header: [UInt8], objectName: String) {
        aad = header + Array(objectName.utf8) + [UInt8](repeating: 0, count: 9)
    }

    mutating func set(index: UInt64, final: Bool) {
        let tail = aad.count - 9
        for shift in 0..<8 {
            let byte = UInt8(truncatingIfNeeded: index >> (56 - 8 * UInt64(shift)))
            nonce[4 + shift] = byte
            aad[tail + shift] = byte
        }
        aad[tail + 8] = final ? 1 : 0
    }

    func withNonceAndAAD<R>(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try nonce.withUnsafeBytes { nonce in try aad.withUnsafeBytes { aad in try body(nonce, aad) } }
    }
}
