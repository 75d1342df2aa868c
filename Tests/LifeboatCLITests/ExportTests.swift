import Foundation
import Testing

/// `lifeboat export`: one plain tar.zst of a backup's whole tree, readable with zstd and tar alone.
@Suite("Export")
struct ExportTests {
    @Test("an incremental of an encrypted repository exports as the complete tree of its point in time")
    func incrementalEncrypted() throws {
        var h = try CLIHarness()
        defer { h.remove() }
        h.environment["LIFEBOAT_PASSPHRASE"] = "export secret"
        try h.makeTestData(sizeMB: 1)
        try h.ok("init", "--encrypt")
        try h.ok("backup", "app", "--full")
        try h.mutate(1)
        let tree = try TreeSnapshot(h.source)
        try h.ok("backup", "app")
        // Its own scratch parent: other tests export at the same time.
        try h.shell("mkdir -p '\(h.root)/tmp' && TMPDIR='\(h.root)/tmp' '\(CLIHarness.binary)' export app --config '\(h.root)/lifeboat.yaml' > '\(h.root)/app.tar.zst'")
        try h.shell("mkdir '\(h.root)/plain' && zstd -dc '\(h.root)/app.tar.zst' | tar -x -C '\(h.root)/plain' --warning=no-unknown-keyword")
        #expect(try TreeSnapshot("\(h.root)/plain\(h.source)").differences(from: tree) == [])
        let scratch = try FileManager.default.contentsOfDirectory(atPath: "\(h.root)/tmp")
        #expect(scratch.isEmpty, "a scratch folder was left behind: \(scratch)")
    }

    @Test("--output writes the file whole; a terminal on standard output is refused")
    func output() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try h.makeTestData(sizeMB: 0.3)
        try h.ok("init")
        try h.ok("backup", "app")
        let id = try #require(try h.backupIDs().first)
        let written = try h.ok("export", "app", "--backup", id, "--output", "\(h.root)/out.tar.zst")
        #expect(written.stdout.contains("Exported backup \(id) of app to \(h.root)/out.tar.zst"), "\(written.output)")
        let listing = try h.shell("zstd -dc '\(h.root)/out.tar.zst' | tar -t > '\(h.root)/list' && head -3 '\(h.root)/list'").stdout
        #expect(listing.contains("srv/app"), "\(listing)")
        let terminal = try h.run("script", ["-qec", "'\(CLIHarness.binary)' export app --config '\(h.root)/lifeboat.yaml'", "/dev/null"])
        #expect(terminal.output.contains("redirect standard output"), "\(terminal.output)")
    }
}
