import LifeboatNative
import Testing

@Suite("Crypto primitives against published vectors")
struct PrimitiveTests {
    @Test("AES-256-GCM matches McGrew-Viega test case 16 (60-byte plaintext, 20-byte AAD)")
    func gcmTestCase16() throws {
        let key = [UInt8](hex: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        let plaintext = [UInt8](hex: "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
        let aad = [UInt8](hex: "feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let nonce = [UInt8](hex: "cafebabefacedbaddecaf888")
        let expected = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
            + "76fc6ece0f4e1768cddf8853bb2d551b"
        let sealed = try AESGCM.seal(key: key, nonce: nonce, plaintext: plaintext, aad: aad)
        #expect(sealed.hex == expected)
        #expect(try AESGCM.open(key: key, nonce: nonce, sealed: sealed, aad: aad) == plaintext)
    }

    @Test("AES-256-GCM matches test cases 13 and 14 (zero key, empty and one-block plaintext)")
    func gcmTestCases13And14() throws {
        let zeros = [UInt8](repeating: 0, count: 32)
        let nonce = [UInt8](repeating: 0, count: 12)
        #expect(try AESGCM.seal(key: zeros, nonce: nonce, plaintext: [UInt8]()).hex == "530f8afbc74536b9a963b4f1c4cb738b")
        #expect(try AESGCM.seal(key: zeros, nonce: nonce, plaintext: [UInt8](repeating: 0, count: 16)).hex
            == "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919")
        #expect(try AESGCM.open(key: zeros, nonce: nonce, sealed: [UInt8](hex: "530f8afbc74536b9a963b4f1c4cb738b")) == [])
    }

    @Test("AES-256-GCM refuses an altered ciphertext, tag or AAD, and a wrong key")
    func gcmRefusesAlterations() throws {
        let key = Fixture.dataKey
        let nonce = [UInt8](repeating: 9, count: 12)
        let sealed = try AESGCM.seal(key: key, nonce: nonce, plaintext: Fixture.plaintext(100), aad: [1, 2, 3])
        var flipped = sealed
        flipped[5] ^= 1
        var badTag = sealed
        badTag[sealed.count - 1] ^= 0x80
        var otherKey = key
        otherKey[0] ^= 1
        for (k, s, a) in [(key, flipped, [UInt8]([1, 2, 3])), (key, badTag, [1, 2, 3]), (key, sealed, [1, 2, 4]), (otherKey, sealed, [1, 2, 3])] {
            #expect(throws: NativeError.self) { try AESGCM.open(key: k, nonce: nonce, sealed: s, aad: a) }
        }
        #expect(throws: NativeError.self) { try AESGCM.open(key: key, nonce: nonce, sealed: Array(sealed.prefix(15)), aad: [1, 2, 3]) }
        #expect(throws: NativeError.self) { try AESGCM.seal(key: Array(key.prefix(16)), nonce: nonce, plaintext: [UInt8]()) }
        #expect(throws: NativeError.self) { try AESGCM.seal(key: key, nonce: Array(nonce.prefix(8)), plaintext: [UInt8]()) }
    }

    @Test("HKDF-SHA256 matches RFC 5869 test cases 1 and 3")
    func hkdfVectors() throws {
        let ikm = [UInt8](repeating: 0x0b, count: 22)
        let okm1 = try HKDF.sha256(ikm: ikm, salt: [UInt8](hex: "000102030405060708090a0b0c"), info: [UInt8](hex: "f0f1f2f3f4f5f6f7f8f9"), length: 42)
        #expect(okm1.hex == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
        let okm3 = try HKDF.sha256(ikm: ikm, salt: [], info: [], length: 42)
        #expect(okm3.hex == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
        #expect(throws: NativeError.self) { try HKDF.sha256(ikm: ikm, salt: [], info: [], length: 255 * 32 + 1) }
    }

    @Test("scrypt matches RFC 7914 section 12 vectors 1 and 2")
    func scryptVectors() throws {
        let first = try Scrypt.deriveKey(passphrase: [], salt: [], n: 16, r: 1, p: 1, length: 64)
        #expect(first.hex == "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")
        let second = try Scrypt.deriveKey(passphrase: Array("password".utf8), salt: Array("NaCl".utf8), n: 1024, r: 8, p: 16, length: 64)
        #expect(second.hex == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    @Test("scrypt refuses parameters that are not usable or would take more than the memory limit")
    func scryptLimits() {
        #expect(throws: NativeError.self) { try Scrypt.deriveKey(passphrase: [1], salt: [1], n: 1000, r: 8, p: 1, length: 32) }
        #expect(throws: NativeError.self) { try Scrypt.deriveKey(passphrase: [1], salt: [1], n: 1 << 30, r: 8, p: 1, length: 32) }
        #expect(throws: NativeError.self) { try Scrypt.deriveKey(passphrase: [1], salt: [1], n: 1 << 62, r: 1 << 60, p: 1, length: 32) }
        #expect(Scrypt.memoryNeeded(n: 32768, r: 8, p: 1) == 128 * 8 * (32768 + 2) + 128 * 8)
    }

    @Test("secure random bytes have the asked-for length and differ between calls")
    func randomBytes() throws {
        #expect(try SecureRandom.bytes(0) == [])
        let a = try SecureRandom.bytes(32)
        let b = try SecureRandom.bytes(32)
        #expect(a.count == 32 && b.count == 32 && a != b)
    }
}
