import LifeboatNative
import Testing

/// Every way an encrypted object can be damaged, with the exact diagnosis. Frame size 4096, plaintext
/// 3.5 frames: frames 0-2 hold 4096 bytes (4112 stored), frame 3 is the final one (2048 + 16 stored).
@Suite("Encrypted objects: damage is detected and named")
struct TamperTests {
    static let frame = 4096
    static let stored = try! Fixture.encrypt(Fixture.plaintext(frame * 7 / 2), frameSize: frame)
    static let name = Fixture.objectName

    /// Offset of stored frame `index`.
    static func frameStart(_ index: Int) -> Int { 32 + index * (frame + 16) }

    static func altered(_ offset: Int) -> [UInt8] {
        var bytes = stored
        bytes[offset] ^= 0x01
        return bytes
    }

    @Test("one changed byte in the header's salt fails frame 0")
    func headerSalt() {
        let message = Fixture.decryptionFailure(Self.altered(20))
        #expect(message == "object \"\(Self.name)\" fails authentication at frame 0: it was altered or moved (frames reordered), or the object is not \"\(Self.name)\" under this data key")
    }

    @Test("one changed byte in the reserved header bytes fails frame 0 (the header is authenticated)")
    func headerReserved() {
        #expect(Fixture.decryptionFailure(Self.altered(13)).contains("fails authentication at frame 0:"))
    }

    @Test("one changed byte in a middle frame's ciphertext names that frame")
    func middleCiphertext() {
        #expect(Fixture.decryptionFailure(Self.altered(Self.frameStart(1) + 100)).contains("fails authentication at frame 1:"))
    }

    @Test("one changed byte in a tag names that frame")
    func tag() {
        #expect(Fixture.decryptionFailure(Self.altered(Self.frameStart(3) - 1)).contains("fails authentication at frame 2:"))
        let last = Fixture.decryptionFailure(Self.altered(Self.stored.count - 1))
        #expect(last == "object \"\(Self.name)\" fails authentication at frame 3 (the last): it was altered, cut short or appended to, or the object is not \"\(Self.name)\" under this data key")
    }

    @Test("two frames swapped fail at the first one moved")
    func swapped() {
        var bytes = Self.stored
        let one = Self.frameStart(1), two = Self.frameStart(2), three = Self.frameStart(3)
        bytes.replaceSubrange(one..<three, with: Array(Self.stored[two..<three]) + Array(Self.stored[one..<two]))
        #expect(Fixture.decryptionFailure(bytes).contains("fails authentication at frame 1:"))
    }

    @Test("a frame from another object with the same key and frame index fails")
    func transplanted() throws {
        let other = try Fixture.encrypt(Fixture.plaintext(Self.frame * 7 / 2, seed: 2), frameSize: Self.frame)
        var bytes = Self.stored
        bytes.replaceSubrange(Self.frameStart(1)..<Self.frameStart(2), with: other[Self.frameStart(1)..<Self.frameStart(2)])
        #expect(Fixture.decryptionFailure(bytes).contains("fails authentication at frame 1:"))
    }

    @Test("the same bytes read under another object name fail at frame 0")
    func renamed() {
        let message = Fixture.decryptionFailure(Self.stored, name: "services/web/20250131T120000Z/data-0002.tar.zst")
        #expect(message.hasPrefix("object \"services/web/20250131T120000Z/data-0002.tar.zst\" fails authentication at frame 0:"))
    }

    @Test("a wrong data key fails at frame 0")
    func wrongKey() {
        var key = Fixture.dataKey
        key[31] ^= 0x40
        #expect(Fixture.decryptionFailure(Self.stored, key: key).contains("fails authentication at frame 0:"))
    }

    @Test("cut at a frame boundary, without its final frame: truncated after the last frame left")
    func truncatedAtBoundary() {
        let message = Fixture.decryptionFailure(Array(Self.stored[0..<Self.frameStart(3)]))
        #expect(message == "object \"\(Self.name)\" is truncated: it ends after frame 2, without its final frame")
        let headerOnly = Fixture.decryptionFailure(Array(Self.stored[0..<32]))
        #expect(headerOnly == "object \"\(Self.name)\" is truncated: it ends right after its header, without its final frame")
    }

    @Test("an object whose length is a multiple of the frame size and loses its empty final frame is truncated")
    func truncatedEmptyFinalFrame() throws {
        let stored = try Fixture.encrypt(Fixture.plaintext(Self.frame * 2), frameSize: Self.frame)
        #expect(stored.count == 32 + 2 * (Self.frame + 16) + 16)
        let message = Fixture.decryptionFailure(Array(stored.dropLast(16)))
        #expect(message == "object \"\(Self.name)\" is truncated: it ends after frame 1, without its final frame")
    }

    @Test("cut inside a frame: the shortened frame fails as the last one, or is shorter than a tag")
    func truncatedInsideFrame() {
        #expect(Fixture.decryptionFailure(Array(Self.stored[0..<Self.frameStart(2) + 500])).contains("fails authentication at frame 2 (the last):"))
        #expect(Fixture.decryptionFailure(Array(Self.stored[0..<Self.frameStart(3) + 5]))
            == "object \"\(Self.name)\" is truncated: frame 3 has 5 bytes, less than its 16-byte tag")
        #expect(Fixture.decryptionFailure(Array(Self.stored[0..<20])) == "object \"\(Self.name)\" is truncated: its header ends after 20 of 32 bytes")
    }

    @Test("a byte appended after the final frame fails the final frame, whose end is the end of the object")
    func appended() {
        let message = Fixture.decryptionFailure(Self.stored + [0])
        #expect(message.contains("fails authentication at frame 3 (the last): it was altered, cut short or appended to"))
    }

    @Test("frames read before the damage are handed out; the damaged frame's bytes never are")
    func onlyAuthenticatedPlaintext() throws {
        let bytes = Self.altered(Self.frameStart(2) + 7)
        let source = try FrameDecryptingSource(inner: MemorySource(bytes), dataKey: Fixture.dataKey, objectName: Self.name)
        var buffer = [UInt8](repeating: 0xAA, count: 1 << 20)
        var total = 0
        #expect(throws: NativeError.self) {
            while true {
                let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                total += n
            }
        }
        #expect(total == 2 * Self.frame)
        // Frame 2 was decrypted straight into this buffer and zeroed when its tag failed.
        #expect(buffer[0..<Self.frame].allSatisfy { $0 == 0 })
    }

    @Test("a stream that is not LBENC001 is refused before anything is decrypted")
    func notEncrypted() {
        let prefix = "object \"\(Self.name)\" "
        #expect(Fixture.decryptionFailure(Array("PK\u{3}\u{4} this is a zip file, not ours....".utf8)) == prefix + "is not an encrypted Lifeboat object: it does not start with LBENC001")
        #expect(Fixture.decryptionFailure([0x28, 0xB5, 0x2F, 0xFD]) == prefix + "is not an encrypted Lifeboat object: it does not start with LBENC001")
        #expect(Fixture.decryptionFailure([]) == prefix + "is empty: not an encrypted Lifeboat object")
        var future = Self.stored
        future[7] = UInt8(ascii: "9")
        #expect(Fixture.decryptionFailure(future) == prefix + "is in encrypted format LBENC009, which this version of Lifeboat does not read (only LBENC001)")
    }

    @Test("a header declaring a frame size of 0 or above 64 MiB is refused without allocating it")
    func absurdFrameSize() {
        for size: UInt32 in [0, (64 << 20) + 1, .max] {
            var bytes = Self.stored
            bytes.replaceSubrange(8..<12, with: withUnsafeBytes(of: size.bigEndian) { Array($0) })
            #expect(Fixture.decryptionFailure(bytes) == "object \"\(Self.name)\" declares a frame size of \(size) bytes; this version reads 1 byte to 64 MiB (a damaged header?)")
        }
    }

    @Test("errors name the stored object in the operation and never contain the key")
    func errorShape() throws {
        do {
            _ = try FrameDecryptingSource(inner: MemorySource(Self.altered(0), name: "/repo/x.enc"), dataKey: Fixture.dataKey, objectName: Self.name)
            Issue.record("opened a damaged object")
        } catch let error as NativeError {
            #expect(error.library == .openssl)
            #expect(error.operation == "decrypt /repo/x.enc")
            #expect(!error.description.contains(Fixture.dataKey.hex))
        }
    }
}
