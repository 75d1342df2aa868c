import Foundation
import Testing

/// Encrypted local repositories through the binary: passphrases from each place, wrong and missing
/// ones refused before any work, tampering found and named, keys added and removed.
@Suite("Encrypted repositories")
struct EncryptionTests {
    static let passphrase = "correct horse battery staple"

    private func harness(name: String = #function) throws -> CLIHarness {
        var h = try CLIHarness(name: name)
        h.environment["LIFEBOAT_PASSPHRASE"] = Self.passphrase
        return h
    }

    @Test("init --encrypt, backup and restore; objects are stored as .enc and hold no plaintext")
    func roundTrip() throws {
        let h = try harness()
        defer { h.remove() }
        try h.makeTestData(sizeMB: 1)
        try "a recognisable line of plaintext\n".write(toFile: "\(h.source)/marker.txt", atomically: false, encoding: .utf8)
        let created = try h.ok("init", "--encrypt")
        #expect(created.stdout.contains("encrypted"), "\(created.output)")
        try h.ok("backup", "app", "--full")
        try h.mutate(1)
        try h.ok("backup", "app")
        let target = "\(h.root)/restored"
        try h.ok("restore", "app", "--target", target)
        #expect(try TreeSnapshot(h.restored(in: target)).differences(from: try TreeSnapshot(h.source)) == [])
        try h.ok("verify", "app", "--objects")
        let doctor = try h.ok("doctor")
        #expect(doctor.stdout.contains("no problems found"), "\(doctor.output)")
        let ids = try h.backupIDs()
        let id = try #require(ids.first)
        let names = try FileManager.default.contentsOfDirectory(atPath: h.backupFolder(id)).sorted()
        #expect(names.allSatisfy { $0.hasSuffix(".enc") } && names.contains("backup.json.enc") && names.contains("manifest.json.zst.enc")
                && names.contains("data-0001.tar.zst.enc"), "\(names)")
        // The change set grew a log: its new bytes went into an encrypted tail archive, which the restore above used.
        let incremental = try FileManager.default.contentsOfDirectory(atPath: h.backupFolder(try #require(ids.last)))
        #expect(incremental.contains { $0.hasPrefix("tail-") && $0.hasSuffix(".tar.zst.enc") }, "\(incremental)")
        let leaks = try h.run("/bin/bash", ["-c", "grep -rl 'recognisable line' '\(h.root)/repo' || true"]).stdout
        #expect(leaks.isEmpty, "plaintext found in \(leaks)")
        let info = try String(contentsOfFile: "\(h.root)/repo/lifeboat-repository.json", encoding: .utf8)
        #expect(info.contains(#""cipher" : "aes-256-gcm""#) && info.contains(#""frame_size" : 1048576"#), "\(info)")
    }

    @Test("a wrong or missing passphrase is refused before any work; a passphrase file works")
    func passphrases() throws {
        let h = try harness()
        defer { h.remove() }
        try h.makeTestData(sizeMB: 0.2)
        try h.ok("init", "--encrypt")
        let before = try TreeSnapshot("\(h.root)/repo")
        let wrong = try h.lifeboat("backup", "app", environment: ["LIFEBOAT_PASSPHRASE": "wrong"])
        #expect(wrong.status == 2 && wrong.output.contains("the passphrase does not open repository"), "\(wrong.output)")
        #expect(!wrong.output.contains("wrong\n") && !wrong.output.contains(Self.passphrase))
        var bare = h
        bare.environment = [:]
        let missing = try bare.lifeboat("backups")
        #expect(missing.status == 2 && missing.output.contains("LIFEBOAT_PASSPHRASE") && missing.output.contains("--passphrase-file"), "\(missing.output)")
        #expect(try TreeSnapshot("\(h.root)/repo").differences(from: before) == [], "a refused run changed the repository")
        try "\(Self.passphrase)\n".write(toFile: "\(h.root)/pass", atomically: false, encoding: .utf8)
        let fromFile = try bare.lifeboat("backup", "app", "--passphrase-file", "\(h.root)/pass")
        #expect(fromFile.status == 0, "\(fromFile.output)")
    }

    @Test("a tampered frame fails verify and restore, naming the object")
    func tampered() throws {
        let h = try harness()
        defer { h.remove() }
        try h.makeTestData(sizeMB: 1)
        try h.ok("init", "--encrypt")
        try h.ok("backup", "app", "--full")
        let ids = try h.backupIDs()
        let id = try #require(ids.first)
        let object = "\(h.backupFolder(id))/data-0001.tar.zst.enc"
        let handle = try #require(FileHandle(forUpdatingAtPath: object))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        let byte = try #require(try handle.read(upToCount: 1)).first ?? 0
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: Data([byte ^ 0x01]))
        try handle.close()
        let verify = try h.lifeboat("verify", "app", "--objects")
        #expect(verify.status != 0 && verify.output.contains("data-0001.tar.zst"), "\(verify.output)")
        let restore = try h.lifeboat("restore", "app", "--target", "\(h.root)/restored")
        #expect(restore.status != 0 && restore.output.contains("data-0001.tar.zst"), "\(restore.output)")
        #expect(restore.output.contains("frame"), "\(restore.output)")
    }

    @Test("key add, list and remove: a second passphrase opens the repository; the last key cannot be removed")
    func keys() throws {
        let h = try harness()
        defer { h.remove() }
        try h.makeTestData(sizeMB: 0.2)
        try h.ok("init", "--encrypt")
        try h.ok("backup", "app")
        let added = try h.lifeboat("key", "add", environment: ["LIFEBOAT_NEW_PASSPHRASE": "second secret"])
        #expect(added.status == 0 && added.stdout.hasPrefix("Added key "), "\(added.output)")
        let listed = try h.ok("key", "list", "--json").stdout.split(separator: "\n")
        #expect(listed.count == 2 && !listed.joined().contains("wrapped"))
        let newID = String(added.stdout.split(separator: " ")[2])
        let ids = listed.compactMap { line -> String? in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            return object?["id"] == newID ? nil : object?["id"]
        }
        let firstID = try #require(ids.first)
        let withSecond = try h.lifeboat("restore", "app", "--target", "\(h.root)/r2", environment: ["LIFEBOAT_PASSPHRASE": "second secret"])
        #expect(withSecond.status == 0, "\(withSecond.output)")
        let inUse = try h.lifeboat("key", "remove", firstID)
        #expect(inUse.status == 2 && inUse.output.contains("open it with another key's passphrase"), "\(inUse.output)")
        let removed = try h.lifeboat("key", "remove", firstID, environment: ["LIFEBOAT_PASSPHRASE": "second secret"])
        #expect(removed.status == 0, "\(removed.output)")
        let old = try h.lifeboat("backups")
        #expect(old.status == 2 && old.output.contains("does not open"), "the removed passphrase still opens it: \(old.output)")
        let last = try h.lifeboat("key", "remove", newID, environment: ["LIFEBOAT_PASSPHRASE": "second secret"])
        #expect(last.status == 2 && last.output.contains("only key"), "\(last.output)")
    }

    /// (Input is typed ahead here, so the terminal echoes it before the prompt turns echo off: this
    /// proves the questions, not the silence.)
    @Test("init --encrypt on a terminal asks for the passphrase twice; answers that differ create nothing")
    func prompt() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try h.makeTestData(sizeMB: 0.2)
        let command = "'\(CLIHarness.binary)' init --encrypt --config '\(h.root)/lifeboat.yaml'"
        let differ = try h.run("script", ["-qec", command, "/dev/null"], input: Data("one\ntwo\n".utf8))
        #expect(differ.output.contains("the two passphrases differ"), "\(differ.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(h.root)/repo/lifeboat-repository.json"))
        let same = try h.run("script", ["-qec", command, "/dev/null"], input: Data("same secret\nsame secret\n".utf8))
        #expect(same.output.contains("Repeat the passphrase") && same.output.contains("Created repository"), "\(same.output)")
        let backup = try h.lifeboat("backup", "app", environment: ["LIFEBOAT_PASSPHRASE": "same secret"])
        #expect(backup.status == 0, "\(backup.output)")
    }

    @Test("a repository description stripped of its encryption settings is refused, and no backup is lost")
    func descriptionAltered() throws {
        let h = try harness()
        defer { h.remove() }
        try h.makeTestData(sizeMB: 0.2)
        try h.ok("init", "--encrypt")
        try h.ok("backup", "app")
        let ids = try h.backupIDs()
        let path = "\(h.root)/repo/lifeboat-repository.json"
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var info = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
        info.removeValue(forKey: "encryption")
        try JSONSerialization.data(withJSONObject: info).write(to: URL(fileURLWithPath: path))
        let refused = try h.lifeboat("backup", "app")
        #expect(refused.status == 1 && refused.output.contains("holds 1 encryption key(s)"), "\(refused.output)")
        try original.write(to: URL(fileURLWithPath: path))
        #expect(try h.backupIDs() == ids)
        try h.ok("verify", "app", "--objects")
    }
}
