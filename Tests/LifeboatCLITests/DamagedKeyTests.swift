import Foundation
import Testing

/// A damaged `keys/*.json` is reported as a damaged key file, not as a wrong passphrase: each record
/// carries a SHA-256 of its own fields (`check`), checked without the passphrase.
@Suite("Encrypted repositories: damaged key files")
struct DamagedKeyTests {
    static let passphrase = EncryptionTests.passphrase

    /// An encrypted repository with one backup of `app`, and the path of its one key file.
    private func repository(name: String = #function) throws -> (CLIHarness, String) {
        var h = try CLIHarness(name: name)
        h.environment["LIFEBOAT_PASSPHRASE"] = Self.passphrase
        try h.makeTestData(sizeMB: 0.1)
        try h.ok("init", "--encrypt")
        try h.ok("backup", "app")
        let names = try FileManager.default.contentsOfDirectory(atPath: "\(h.root)/repo/keys")
        return (h, "\(h.root)/repo/keys/\(try #require(names.first))")
    }

    /// Rewrites the key file at `path` with `change` applied to its JSON object.
    private func edit(_ path: String, _ change: (inout [String: Any]) throws -> Void) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        try change(&object)
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
    }

    /// The base64 `text` with one bit of its first byte flipped.
    private func flipped(_ text: Any?) throws -> String {
        let base64 = try #require(text as? String)
        var bytes = try #require(Data(base64Encoded: base64))
        bytes[0] ^= 0x01
        return bytes.base64EncodedString()
    }

    @Test("a flipped salt, nonce or wrapped key says the key file is damaged (exit 1), with the right passphrase or a wrong one",
          arguments: ["salt", "nonce", "wrapped", "n"])
    func flippedField(field: String) throws {
        let (h, key) = try repository(name: "flipped\(field)")
        defer { h.remove() }
        let original = try Data(contentsOf: URL(fileURLWithPath: key))
        try edit(key) { object in
            if field == "n" { object["n"] = 16384 } else { object[field] = try flipped(object[field]) }
        }
        for passphrase in [Self.passphrase, "wrong"] {
            let result = try h.lifeboat("backups", environment: ["LIFEBOAT_PASSPHRASE": passphrase])
            #expect(result.status == 1, "\(result.output)")
            #expect(result.stderr.contains("\(key) is damaged: its salt, nonce, wrapped key or scrypt parameters no longer match the checksum"),
                    "\(result.output)")
            #expect(result.stderr.contains("restore the file from a copy of the repository") && !result.output.contains("passphrase does not open"),
                    "\(result.output)")
        }
        try original.write(to: URL(fileURLWithPath: key))
        try h.ok("backups")
    }

    @Test("a wrong passphrase on intact key files is still called a wrong passphrase")
    func wrongPassphrase() throws {
        let (h, _) = try repository()
        defer { h.remove() }
        let result = try h.lifeboat("backups", environment: ["LIFEBOAT_PASSPHRASE": "wrong"])
        #expect(result.status == 2 && result.stderr.contains("the passphrase does not open repository") && !result.output.contains("damaged"),
                "\(result.output)")
    }

    @Test("a key file that is not JSON names the file and the place; a damaged check alone does not lock the key out")
    func notJSONAndDamagedCheck() throws {
        let (h, key) = try repository()
        defer { h.remove() }
        let original = try Data(contentsOf: URL(fileURLWithPath: key))
        try Data("{\n  \"id\": \"0123\",\n  oops\n}\n".utf8).write(to: URL(fileURLWithPath: key))
        let broken = try h.lifeboat("backups")
        #expect(broken.status == 1 && broken.stderr.contains("\(key) is damaged: it is not valid JSON (line 3, column 3)"), "\(broken.output)")
        try original.write(to: URL(fileURLWithPath: key))
        try edit(key) { $0["check"] = String(repeating: "0", count: 64) }
        try h.ok("backups")  // the AES-GCM tag verifies: the key inside is sound
    }

    @Test("a key file written before checks still opens; tampered, it keeps today's message and says why it cannot tell")
    func olderKeyFile() throws {
        let (h, key) = try repository()
        defer { h.remove() }
        try edit(key) { $0.removeValue(forKey: "check") }
        try h.ok("backups")
        try edit(key) { object in object["salt"] = try flipped(object["salt"]) }
        let result = try h.lifeboat("backups")
        #expect(result.status == 2 && result.stderr.contains("the passphrase does not open repository")
                && result.stderr.contains("predate key checksums"), "\(result.output)")
    }
}
