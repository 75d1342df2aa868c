import LifeboatNative
import Testing

@Suite("Encrypted objects: round trips and layout")
struct EncryptedObjectTests {
    static let frame = 4096
    static let sizes = [0, 1, frame - 1, frame, frame + 1, frame * 7 / 2]

    @Test("round trip at frame-boundary sizes, read through small and large buffers", arguments: sizes)
    func roundTrip(size: Int) throws {
        let plaintext = Fixture.plaintext(size)
        let stored = try Fixture.encrypt(plaintext, frameSize: Self.frame, writeSize: 1000)
        let frames = size / Self.frame + 1
        #expect(stored.count == 32 + frames * 16 + size)
        #expect(Int64(stored.count) == EncryptedObject.storedSize(plaintextSize: Int64(size), frameSize: Self.frame))
        #expect(try Fixture.decrypt(stored, readSize: 7) == plaintext)
        #expect(try Fixture.decrypt(stored, readSize: 1 << 20) == plaintext)
        #expect(try Fixture.decrypt(stored, readSize: Self.frame) == plaintext)
    }

    @Test("round trip with the default 1 MiB frame, written in one call and in odd pieces")
    func defaultFrame() throws {
        let size = (5 << 20) / 2 + 12_345
        let plaintext = Fixture.plaintext(size)
        let sink = MemorySink()
        let encrypting = try FrameEncryptingSink(inner: sink, dataKey: Fixture.dataKey, objectName: Fixture.objectName)
        #expect(encrypting.frameSize == 1 << 20)
        try encrypting.write(plaintext)
        try encrypting.finish()
        #expect(encrypting.plaintextBytes == Int64(size))
        #expect(sink.bytes.count == 32 + 3 * 16 + size)
        #expect(try Fixture.decrypt(sink.bytes, readSize: 100_000) == plaintext)
        #expect(try Fixture.decrypt(sink.bytes, readSize: 3 << 20) == plaintext)
        let pieces = try Fixture.encrypt(plaintext, frameSize: 1 << 20, writeSize: 333_333)
        #expect(try Fixture.decrypt(pieces, readSize: 1 << 20) == plaintext)
    }

    @Test("the header is LBENC001, the frame size big-endian, 4 zero bytes and a salt fresh for every object")
    func header() throws {
        let a = try Fixture.encrypt([1, 2, 3], frameSize: 0x0102_0304)
        let b = try Fixture.encrypt([1, 2, 3], frameSize: 0x0102_0304)
        #expect(Array(a[0..<8]) == Array("LBENC001".utf8))
        #expect(Array(a[8..<16]) == [1, 2, 3, 4, 0, 0, 0, 0])
        #expect(a[16..<32] != b[16..<32])
        #expect(a[32...] != b[32...])
    }

    @Test("the frames are exactly as docs/encryption-format.md describes: HKDF object key, counter nonce, AAD with name, index and final flag")
    func documentedLayout() throws {
        let frame = 64
        let plaintext = Fixture.plaintext(150)
        let stored = try Fixture.encrypt(plaintext, frameSize: frame)
        let header = Array(stored[0..<32])
        let key = try HKDF.sha256(ikm: Fixture.dataKey, salt: Array(header[16..<32]), info: Array("lifeboat object v1".utf8), length: 32)
        var opened = [UInt8]()
        var offset = 32
        for index in 0..<3 {
            let final = index == 2
            let end = final ? stored.count : offset + frame + 16
            let nonce = [0, 0, 0, 0] + bigEndian(UInt64(index))
            let aad = header + Array(Fixture.objectName.utf8) + bigEndian(UInt64(index)) + [final ? 1 : 0]
            opened += try AESGCM.open(key: key, nonce: nonce, sealed: Array(stored[offset..<end]), aad: aad)
            offset = end
        }
        #expect(opened == plaintext)
    }

    @Test("drainAndDigest authenticates the rest and returns the SHA-256 of the stored bytes")
    func drainDigest() throws {
        let stored = try Fixture.encrypt(Fixture.plaintext(10_000), frameSize: 4096)
        let inner = MemorySource(stored, name: "/repo/object.enc")
        let source = try FrameDecryptingSource(inner: inner, dataKey: Fixture.dataKey, objectName: Fixture.objectName)
        #expect(source.name == "/repo/object.enc")
        var some = [UInt8](repeating: 0, count: 5000)
        _ = try some.withUnsafeMutableBytes { try source.read(into: $0) }
        #expect(try source.drainAndDigest() == SHA256Hasher.digest(stored))
        #expect(source.bytesRead == Int64(stored.count))
        #expect(try some.withUnsafeMutableBytes { try source.read(into: $0) } == 0)

        // A damaged frame is still found when the reader only drains.
        var damaged = stored
        damaged[32 + 4112 + 10] ^= 1
        let drained = try FrameDecryptingSource(inner: MemorySource(damaged), dataKey: Fixture.dataKey, objectName: Fixture.objectName)
        #expect(throws: NativeError.self) { try drained.drainAndDigest() }
    }

    @Test("the encrypting sink refuses a wrong-size key, an absurd frame size and writes after finish")
    func sinkMisuse() throws {
        let sink = MemorySink()
        #expect(throws: NativeError.self) { try FrameEncryptingSink(inner: sink, dataKey: [1, 2, 3], objectName: "x") }
        #expect(throws: NativeError.self) { try FrameEncryptingSink(inner: sink, dataKey: Fixture.dataKey, objectName: "x", frameSize: 0) }
        #expect(throws: NativeError.self) { try FrameEncryptingSink(inner: sink, dataKey: Fixture.dataKey, objectName: "x", frameSize: (64 << 20) + 1) }
        let encrypting = try FrameEncryptingSink(inner: sink, dataKey: Fixture.dataKey, objectName: "x")
        try encrypting.finish()
        #expect(throws: NativeError.self) { try encrypting.write([1]) }
        #expect(throws: NativeError.self) { try encrypting.finish() }
    }
}

func bigEndian(_ value: UInt64) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}
