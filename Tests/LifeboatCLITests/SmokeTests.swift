import Foundation
import Testing

@Suite("A first backup and restore through the binary")
struct SmokeTests {
    @Test("init, full backup, restore into an empty folder reproduces the tree")
    func fullBackupRestores() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try h.makeTestData(sizeMB: 1)
        let before = try TreeSnapshot(h.source)
        try h.ok("init")
        try h.ok("backup", "app")
        try h.ok("restore", "app", "--target", "\(h.root)/out")
        let after = try TreeSnapshot(h.restored(in: "\(h.root)/out"))
        #expect(before.differences(from: after) == [])
        #expect(before.entries.count > 50)
    }
}
