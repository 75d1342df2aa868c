import Foundation
import Glibc
import Testing

/// Restores over live trees: in place (`--target /`), over symlinked system-style layouts, over a good
/// copy with a damaged repository — the cases where a careless restore destroys what it should save.
@Suite("Restores over existing trees keep what must be kept")
struct RestoreInPlaceTests {
    private func config(exclude: String = "[]") -> String {
        """
        repository: ./srv/app/backups/repo
        catalog: ./srv/app/backups/catalog.sqlite
        services:
          app:
            source: { type: files, paths: [./srv/app], exclude: \(exclude) }
        """
    }

    @Test("an in-place --exact restore keeps the repository, the catalog and excluded files under the source")
    func inPlaceExactKeepsRepository() throws {
        let h = try CLIHarness(config: config(exclude: #"["*.tmp"]"#))
        defer { h.remove() }
        try h.makeTestData(sizeMB: 0.5)
        try "scratch\n".write(toFile: "\(h.source)/scratch.tmp", atomically: false, encoding: .utf8)
        try h.ok("init")
        try h.ok("backup", "app")
        let before = try TreeSnapshot("\(h.source)/src")
        try "extra\n".write(toFile: "\(h.source)/src/extra.txt", atomically: false, encoding: .utf8)

        let result = try h.ok("restore", "app", "--target", "/", "--exact")
        #expect(result.stdout.contains("into /"), "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: "\(h.source)/src/extra.txt"), "the extra file was removed")
        #expect(FileManager.default.fileExists(atPath: "\(h.source)/scratch.tmp"), "an excluded file was removed")
        #expect(FileManager.default.fileExists(atPath: "\(h.source)/backups/repo/lifeboat-repository.json"), "the repository was removed")
        #expect(FileManager.default.fileExists(atPath: "\(h.source)/backups/catalog.sqlite"), "the catalog was removed")
        #expect(try TreeSnapshot("\(h.source)/src").differences(from: before) == [])
        try h.ok("verify", "--objects")
    }

    @Test("a symlinked folder on the way to the root that stays inside the target is followed, not replaced")
    func followsSymlinkedAncestorInsideTarget() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try h.makeTestData(sizeMB: 0.3)
        let source = try TreeSnapshot(h.source)
        try h.ok("init")
        try h.ok("backup", "app")
        // In the target, `<root>/srv` is a link to `<root>/real-srv`, as /var/run links to /run.
        let target = "\(h.root)/target"
        let base = "\(target)\(h.root)"
        try FileManager.default.createDirectory(atPath: "\(base)/real-srv", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(base)/srv", withDestinationPath: "real-srv")

        try h.ok("restore", "app", "--target", target, "--force")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(base)/srv") == "real-srv", "the link was replaced")
        #expect(try TreeSnapshot("\(base)/real-srv/app").differences(from: source) == [])
    }

    @Test("a damaged archive never replaces a good file: a failed restore over a good copy leaves it intact")
    func damagedArchiveLeavesGoodCopy() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try FileManager.default.createDirectory(atPath: "\(h.source)/data", withIntermediateDirectories: true)
        try h.shell("head -c 3000000 /dev/urandom > '\(h.source)/data/big.bin' && echo small > '\(h.source)/data/small.txt'")
        let source = try TreeSnapshot(h.source)
        try h.ok("init")
        try h.ok("backup", "app")
        let target = "\(h.root)/live"
        try h.ok("restore", "app", "--target", target)
        let id = try #require(try h.backupIDs().first)
        // Flip a byte inside big.bin's stored bytes (the archive is incompressible random data there).
        try h.shell("printf '\\xff' | dd of='\(h.backupFolder(id))/data-0001.tar.zst' bs=1 seek=1500000 conv=notrunc status=none")

        let failed = try h.lifeboat("restore", "app", "--target", target, "--force")
        #expect(failed.status == 1, "\(failed.output)")
        #expect(failed.output.contains("data-0001.tar.zst") && failed.output.contains("big.bin"), "\(failed.output)")
        // Files keep their good content and metadata; folder times may differ (the failed run wrote there).
        var after = try TreeSnapshot(h.restored(in: target))
        var expected = source
        for key in after.entries.keys where after.entries[key]?.type == "dir" { after.entries[key]?.mtimeNs = 0 }
        for key in expected.entries.keys where expected.entries[key]?.type == "dir" { expected.entries[key]?.mtimeNs = 0 }
        let differences = after.differences(from: expected)
        #expect(differences == [], "the good copy was damaged: \(differences)")
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: target)
            .filter { $0.contains(".lifeboat-restore-") && $0 != ".lifeboat-restore-incomplete" }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
        #expect(FileManager.default.fileExists(atPath: "\(target)/.lifeboat-restore-incomplete"), "the failed restore did not mark the target unfinished")
    }

    @Test("names in decomposed Unicode (NFD), with newlines and invalid UTF-8 restore and verify")
    func oddNames() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try h.shell("""
        cd '\(h.source)' && echo nfd > "cafe"$'\\xcc\\x81'".txt" && echo nfc > "caf"$'\\xc3\\xa9'".txt" && \
        echo nl > "two"$'\\n'"lines" && echo bin > "latin1-"$'\\xe9' && mkdir "dir "$'\\xe9' && echo x > "dir "$'\\xe9'"/in"
        """)
        let source = try TreeSnapshot(h.source)
        #expect(source.entries.count == 6)
        try h.ok("init")
        try h.ok("backup", "app")
        try h.ok("verify")
        try h.ok("restore", "app", "--target", "\(h.root)/out")
        #expect(try TreeSnapshot(h.restored(in: "\(h.root)/out")).differences(from: source) == [])
    }

    @Test("a hard link group whose first name is excluded is stored under the next name")
    func hardlinkFirstNameExcluded() throws {
        let h = try CLIHarness(config: CLIHarness.config(services: """
          app:
            source: { type: files, paths: [./srv/app], exclude: ["a-*"] }
        """))
        defer { h.remove() }
        try h.shell("cd '\(h.source)' && echo shared > a-first && ln a-first b-second && ln a-first c-third")
        try h.ok("init")
        try h.ok("backup", "app")
        try h.ok("restore", "app", "--target", "\(h.root)/out")
        let out = h.restored(in: "\(h.root)/out")
        #expect(!FileManager.default.fileExists(atPath: "\(out)/a-first"))
        let second = try FileManager.default.attributesOfItem(atPath: "\(out)/b-second")
        let third = try FileManager.default.attributesOfItem(atPath: "\(out)/c-third")
        #expect(second[.systemFileNumber] as? Int == third[.systemFileNumber] as? Int)
        #expect(try String(contentsOfFile: "\(out)/c-third", encoding: .utf8) == "shared\n")
    }
}
