import Foundation
import LifeboatNative
import Testing

@Suite("Wrapped data keys")
struct WrappedKeyTests {
    static let passphrase = Array("correct horse battery staple".utf8)
    static let created = "2025-01-31T12:00:00Z"

    @Test("wrap then unwrap gives the data key back, at the default scrypt parameters")
    func roundTripDefaults() throws {
        let dataKey = try WrappedKey.newDataKey()
        #expect(dataKey.count == 32)
        let record = try WrappedKey.wrap(dataKey: dataKey, passphrase: Self.passphrase, created: Self.created)
        #expect(record.kdf == "scrypt" && record.n == 32768 && record.r == 8 && record.p == 1)
        #expect(record.salt.count == 16 && record.nonce.count == 12 && record.wrapped.count == 48)
        #expect(record.id.count == 16 && record.id.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(record.created == Self.created)
        #expect(try record.unwrap(passphrase: Self.passphrase) == dataKey)
    }

    @Test("a wrong passphrase is refused with a message that names the key and no secret")
    func wrongPassphrase() throws {
        let dataKey = try WrappedKey.newDataKey()
        let record = try WrappedKey.wrap(dataKey: dataKey, passphrase: Self.passphrase, created: Self.created, n: 1024)
        do {
            _ = try record.unwrap(passphrase: Array("Correct horse battery staple".utf8))
            Issue.record("a wrong passphrase opened the key")
        } catch let error as NativeError {
            #expect(error.operation == "unwrap data key \(record.id)")
            #expect(error.message == "the passphrase does not open this key (a different passphrase, or the key record was altered)")
            #expect(!error.description.contains("horse") && !error.description.contains(dataKey.hex))
        }
        #expect(!"\(record)".contains(Base64Probe.encode(record.wrapped)))
        #expect("\(record)" == "data key \(record.id) (scrypt N=1024 r=8 p=1, created \(Self.created))")
    }

    @Test("JSON round trip keeps every field, with base64 binary fields")
    func json() throws {
        let record = try WrappedKey.wrap(dataKey: try WrappedKey.newDataKey(), passphrase: Self.passphrase, created: Self.created, n: 1024)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(record)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["id", "created", "kdf", "n", "r", "p", "salt", "nonce", "wrapped", "check"])
        #expect(object["check"] as? String == record.check && record.isIntact == true)
        #expect(object["salt"] as? String == Base64Probe.encode(record.salt))
        #expect(object["wrapped"] as? String == Base64Probe.encode(record.wrapped))
        #expect(object["n"] as? Int == 1024)
        let decoded = try JSONDecoder().decode(WrappedKey.self, from: data)
        #expect(decoded == record)
        #expect(try decoded.unwrap(passphrase: Self.passphrase) == record.unwrap(passphrase: Self.passphrase))
    }

    @Test("base64 of every length round-trips and matches Foundation; malformed base64 is refused")
    func base64() throws {
        for count in 0..<20 {
            let record = try WrappedKey.wrap(dataKey: Fixture.dataKey, passphrase: [1], created: "t", n: 2)
            var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(record)) as? [String: Any])
            let salt = Fixture.plaintext(count, seed: UInt64(count + 1))
            object["salt"] = Base64Probe.encode(salt)
            let decoded = try JSONDecoder().decode(WrappedKey.self, from: JSONSerialization.data(withJSONObject: object))
            #expect(decoded.salt == salt)
            #expect(try JSONSerialization.jsonObject(with: JSONEncoder().encode(decoded)) as? [String: Any] as NSDictionary? == object as NSDictionary)
        }
        let good = try JSONEncoder().encode(try WrappedKey.wrap(dataKey: Fixture.dataKey, passphrase: [1], created: "t", n: 2))
        for bad in ["abc", "ab=c", "a===", "ab c", "@@@@"] {
            var object = try #require(try JSONSerialization.jsonObject(with: good) as? [String: Any])
            object["nonce"] = bad
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(WrappedKey.self, from: JSONSerialization.data(withJSONObject: object)) }
        }
    }

    @Test("an altered record is refused like a wrong passphrase; a malformed or unknown one says why")
    func alteredRecord() throws {
        let record = try WrappedKey.wrap(dataKey: Fixture.dataKey, passphrase: Self.passphrase, created: Self.created, n: 1024)
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(record)) as? [String: Any])
        func variant(_ key: String, _ value: Any) throws -> WrappedKey {
            var object = json
            object[key] = value
            return try JSONDecoder().decode(WrappedKey.self, from: JSONSerialization.data(withJSONObject: object))
        }
        func message(_ record: WrappedKey) -> String {
            do { _ = try record.unwrap(passphrase: Self.passphrase); return "opened" } catch let error as NativeError { return error.message } catch { return "\(error)" }
        }
        let refused = "the passphrase does not open this key (a different passphrase, or the key record was altered)"
        #expect(message(try variant("id", "0000000000000000")) == refused)
        #expect(message(try variant("n", 2048)) == refused)
        #expect(message(try variant("salt", Base64Probe.encode([UInt8](repeating: 1, count: 16)))) == refused)
        #expect(message(try variant("kdf", "argon2id")) == "it uses key derivation \"argon2id\"; this version of Lifeboat knows only scrypt")
        #expect(message(try variant("nonce", Base64Probe.encode([1, 2, 3]))).hasPrefix("the record is malformed:"))
        #expect(message(try variant("n", 1 << 40)).contains("need more than the 2048 MiB allowed"))
        #expect(message(try variant("created", "2030-01-01T00:00:00Z")) == "opened")
    }

    @Test("check is the SHA-256 of the fields but created, so damage is found without the passphrase; older records have none")
    func check() throws {
        let record = try WrappedKey.wrap(dataKey: Fixture.dataKey, passphrase: Self.passphrase, created: Self.created, n: 1024)
        let text = "lifeboat key check v1\n\(record.id)\nscrypt\n1024\n8\n1\n\(Base64Probe.encode(record.salt))\n"
            + "\(Base64Probe.encode(record.nonce))\n\(Base64Probe.encode(record.wrapped))\n"
        #expect(record.check == SHA256Hasher.digest(Array(text.utf8)).hex)
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(record)) as? [String: Any])
        func variant(_ key: String, _ value: Any?) throws -> WrappedKey {
            var object = json
            object[key] = value
            return try JSONDecoder().decode(WrappedKey.self, from: JSONSerialization.data(withJSONObject: object))
        }
        var salt = record.salt
        salt[0] ^= 1
        for damaged in [try variant("salt", Base64Probe.encode(salt)), try variant("n", 2048), try variant("id", "0000000000000000"),
                        try variant("check", String(repeating: "0", count: 64))] {
            #expect(damaged.isIntact == false)
        }
        #expect(try variant("created", "2030-01-01T00:00:00Z").isIntact == true)
        let older = try variant("check", nil)
        #expect(older.check == nil && older.isIntact == nil)
        #expect(try older.unwrap(passphrase: Self.passphrase) == Fixture.dataKey)
        #expect(!String(decoding: try JSONEncoder().encode(older), as: UTF8.self).contains("check"))
    }

    @Test("wrapping refuses a data key that is not 32 bytes")
    func wrongSizeDataKey() {
        #expect(throws: NativeError.self) { try WrappedKey.wrap(dataKey: [1, 2, 3], passphrase: Self.passphrase, created: Self.created, n: 2) }
    }
}

/// Foundation's base64, to check the library's own encoder against.
enum Base64Probe {
    static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
