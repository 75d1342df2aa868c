import Foundation
import LifeboatNative
import Testing

/// Committed wrapped-key records (`Fixtures/keys/`), passphrase "sample passphrase": one as written
/// before records carried `check`, one with it. Both must keep opening.
@Suite("Key file samples: with and without check")
struct KeyFileSampleTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/keys")
    static let passphrase = Array("sample passphrase".utf8)

    func sample(_ name: String) throws -> WrappedKey {
        try JSONDecoder().decode(WrappedKey.self, from: Data(contentsOf: Self.folder.appendingPathComponent(name)))
    }

    @Test("a record without check reads as unchecked, one with check as intact, and both open to the same data key")
    func samples() throws {
        let older = try sample("before-check.json")
        let current = try sample("with-check.json")
        #expect(older.check == nil && older.isIntact == nil)
        #expect(current.check == "9b30fa49795dbd34f08fe9649daa7c73e4c0a80eed59fa2c866d212ad10912d1" && current.isIntact == true)
        let key = try current.unwrap(passphrase: Self.passphrase)
        #expect(try older.unwrap(passphrase: Self.passphrase) == key)
    }
}
