import Foundation
import Glibc
import Testing

/// A full disk and unreadable sources, through the binary. Both need root: to mount a small tmpfs,
/// and to make files another user cannot read (root reads everything).
@Suite("Disk full and unreadable sources", .serialized, .enabled(if: geteuid() == 0, "mounting a tmpfs and switching users need root"))
struct ReliabilityTests {
    @Test("a backup into a full filesystem fails clearly, leaves the repository consistent and its space free, and succeeds once there is room")
    func diskFull() throws {
        let h = try CLIHarness(config: CLIHarness.config(services: """
          app:
            tier: tier-1-critical
            source: { type: files, paths: [./srv/app] }
        """).replacingOccurrences(of: "repository: ./repo", with: "repository: ./small/repo"))
        defer { h.remove() }
        try h.shell("mkdir -p '\(h.root)/small' && mount -t tmpfs -o size=3m tmpfs '\(h.root)/small'")
        defer { _ = try? h.shell("umount '\(h.root)/small'") }
        try "a\n".write(toFile: "\(h.source)/a.txt", atomically: false, encoding: .utf8)
        try h.ok("init")
        try h.ok("backup", "app")
        let committed = try h.backupIDs()
        let used = { try h.shell("df --output=used -B1 '\(h.root)/small' | tail -n 1").stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
        let before = try used()

        try h.shell("head -c 6M /dev/urandom > '\(h.source)/big.bin'")
        let full = try h.lifeboat("backup", "app")
        #expect(full.status == 1, "\(full.output)")
        #expect(full.stderr.contains("no space left on") && full.stderr.contains("free space there"), "\(full.stderr)")
        #expect(try h.backupIDs() == committed, "a phantom backup appeared")
        #expect(try h.lifeboat("verify", "--objects").status == 0)
        #expect(try used() == before, "the failed backup's partial objects still take space")
        let debris = try h.shell("find '\(h.root)/small/repo' -name '.tmp-*'").stdout
        #expect(debris.isEmpty, "\(debris)")

        try FileManager.default.removeItem(atPath: "\(h.source)/big.bin")
        try "b\n".write(toFile: "\(h.source)/b.txt", atomically: false, encoding: .utf8)
        try h.ok("backup", "app")
        try h.ok("restore", "app", "--target", "\(h.root)/restored")
        #expect(try String(contentsOfFile: "\(h.restored(in: "\(h.root)/restored"))/b.txt", encoding: .utf8) == "b\n")
    }

    @Test("files and folders the backup cannot read are recorded with the reason, and the backup is partial (exit 3)")
    func unreadable() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try h.shell("""
            cd '\(h.source)' && echo ok > ok.txt && echo secret > secret.txt && mkdir locked && echo x > locked/x
            chown -R nobody '\(h.root)' && chmod 755 '\(h.root)' && chown root secret.txt locked && chmod 000 secret.txt locked
            """)
        let asNobody = { (args: [String]) in
            try h.run("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", CLIHarness.binary]
                      + args + ["--config", "\(h.root)/lifeboat.yaml"])
        }
        #expect(try asNobody(["init"]).status == 0)
        let backup = try asNobody(["backup", "app"])
        #expect(backup.status == 3, "\(backup.output)")
        #expect(backup.stderr.contains("secret.txt: Permission denied") && backup.stderr.contains("locked: Permission denied"), "\(backup.stderr)")
        let listed = try asNobody(["backups", "--json"])
        let record = try #require(try JSONSerialization.jsonObject(with: Data((listed.stdout.split(separator: "\n").last ?? "").utf8)) as? [String: Any])
        #expect(record["status"] as? String == "partial")
        let warnings = record["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.contains("secret.txt") } && warnings.contains { $0.contains("locked") }, "\(warnings)")
        #expect((record["stats"] as? [String: Any])?["skipped"] as? Int == 2)
    }
}
