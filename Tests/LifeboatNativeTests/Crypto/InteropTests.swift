import Foundation
import LifeboatNative
import Testing

/// `Scripts/decrypt-object.py` implements docs/encryption-format.md independently (Python's hashlib scrypt and the
/// `cryptography` package's AES-GCM). If it reads what Lifeboat wrote, the documentation is the format.
@Suite("Encrypted objects: interoperability")
struct InteropTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scripts/decrypt-object.py").path
    static let pythonReady: Bool = (try? run(["python3", "-c", "import cryptography.hazmat.primitives.ciphers.aead"]).status) == 0

    @Test("an independent Python implementation of docs/encryption-format.md unwraps the key and decrypts the object",
          .enabled(if: pythonReady, "needs python3 with the cryptography package"),
          arguments: [0, 4096, 10_000])
    func python(size: Int) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-crypto-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let passphrase = "pässphrase with spaces"
        let dataKey = try WrappedKey.newDataKey()
        let record = try WrappedKey.wrap(dataKey: dataKey, passphrase: Array(passphrase.utf8), created: "2025-01-31T12:00:00Z")
        try JSONEncoder().encode(record).write(to: URL(fileURLWithPath: "\(folder)/key.json"))
        let plaintext = Fixture.plaintext(size)
        let sink = try FileSink(creating: "\(folder)/object.enc")
        let encrypting = try FrameEncryptingSink(inner: sink, dataKey: dataKey, objectName: Fixture.objectName, frameSize: 4096)
        try encrypting.write(plaintext)
        try encrypting.finish()
        _ = try sink.finish()

        let result = try Self.run(["python3", Self.script, "\(folder)/key.json", Fixture.objectName],
                                  stdin: "\(folder)/object.enc", stdout: "\(folder)/object", passphrase: passphrase)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(folder)/object"))) == plaintext)

        let renamed = try Self.run(["python3", Self.script, "\(folder)/key.json", "another-name"],
                                   stdin: "\(folder)/object.enc", stdout: "\(folder)/renamed", passphrase: passphrase)
        #expect(renamed.status != 0 && renamed.stderr.contains("InvalidTag"))

        // The key record's check is verified too: a flipped salt is a damaged file, not a wrong passphrase.
        let written = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/key.json"))
        var object = try #require(try JSONSerialization.jsonObject(with: written) as? [String: Any])
        var salt = record.salt
        salt[0] ^= 1
        object["salt"] = Data(salt).base64EncodedString()
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: "\(folder)/damaged.json"))
        let damaged = try Self.run(["python3", Self.script, "\(folder)/damaged.json", Fixture.objectName],
                                   stdin: "\(folder)/object.enc", stdout: "\(folder)/damaged", passphrase: passphrase)
        #expect(damaged.status != 0 && damaged.stderr.contains("the key file is damaged"), "\(damaged.stderr)")
    }

    static func run(_ arguments: [String], stdin: String? = nil, stdout: String? = nil, passphrase: String = "") throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin", "LIFEBOAT_PASSPHRASE": passphrase]
        if let stdin { process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: stdin)) }
        if let stdout {
            _ = FileManager.default.createFile(atPath: stdout, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
        }
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let text = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: text, as: UTF8.self))
    }
}
