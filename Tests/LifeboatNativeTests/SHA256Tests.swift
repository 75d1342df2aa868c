import LifeboatNative
import Testing

@Suite("SHA-256")
struct SHA256Tests {
    @Test("known vectors: empty input and \"abc\"")
    func vectors() {
        #expect(SHA256Hasher.digest([]).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Hasher.digest(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("streaming in pieces and zero runs give the same digest as one buffer")
    func streaming() {
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 31) } + [UInt8](repeating: 0, count: 150_000)
        let hasher = SHA256Hasher()
        hasher.update(Array(bytes[0..<1234]))
        hasher.update(Array(bytes[1234..<200_000]))
        hasher.updateZeros(150_000)
        #expect(hasher.finalize() == SHA256Hasher.digest(bytes))
    }

    @Test("hex round-trips and rejects malformed text")
    func hex() {
        let digest = SHA256Hasher.digest(Array("lifeboat".utf8))
        #expect(SHA256Digest(hex: digest.hex) == digest)
        #expect(SHA256Digest(hex: "xyz") == nil)
        #expect(SHA256Digest(hex: String(repeating: "g", count: 64)) == nil)
    }
}
