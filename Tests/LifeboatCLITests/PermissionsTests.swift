import Foundation
import Glibc
import Testing

/// What Lifeboat writes to a repository and its catalog is readable by their owner only, unless the
/// configuration grants the group read access.
@Suite("Repository and catalog permissions")
struct PermissionsTests {
    /// The modes (as octal text) of everything under the repository, plus the catalog files.
    private func modes(_ h: CLIHarness) throws -> (files: Set<String>, folders: Set<String>) {
        let files = try h.shell("find '\(h.root)/repo' -type f -printf '%m\\n' | sort -u; stat -c '%a' '\(h.root)/catalog.sqlite'*").stdout
        let folders = try h.shell("find '\(h.root)/repo' -type d -printf '%m\\n' | sort -u").stdout
        return (Set(files.split(separator: "\n").map(String.init)), Set(folders.split(separator: "\n").map(String.init)))
    }

    private func exercise(_ h: CLIHarness) throws {
        try "a\n".write(toFile: "\(h.source)/a.txt", atomically: false, encoding: .utf8)
        try h.ok("init")
        try h.ok("backup", "app")
        try h.ok("verify", "app")
    }

    @Test("files 0600 and folders 0700 by default: objects, records, locks, the catalog and its WAL")
    func ownerOnly() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try exercise(h)
        let found = try modes(h)
        #expect(found.files == ["600"], "file modes: \(found.files)")
        #expect(found.folders == ["700"], "folder modes: \(found.folders)")
        // An existing catalog that is more open than that is tightened when opened.
        chmod("\(h.root)/catalog.sqlite", 0o644)
        try h.ok("backups")
        #expect(try h.shell("stat -c '%a' '\(h.root)/catalog.sqlite'").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "600")
    }

    @Test("group_access: read gives the group read access (0640, 0750); a wrong value is a clear error")
    func groupRead() throws {
        let h = try CLIHarness(config: "group_access: read\n" + CLIHarness.config(services: """
          app:
            source: { type: files, paths: [./srv/app] }
        """))
        defer { h.remove() }
        try exercise(h)
        let found = try modes(h)
        #expect(found.files == ["640"], "file modes: \(found.files)")
        #expect(found.folders == ["750"], "folder modes: \(found.folders)")
        try ("group_access: everyone\n" + CLIHarness.config(services: "  app:\n    source: { type: files, paths: [./srv/app] }\n"))
            .write(toFile: "\(h.root)/lifeboat.yaml", atomically: true, encoding: .utf8)
        let bad = try h.lifeboat("backups")
        #expect(bad.status == 2 && bad.stderr.contains("group_access") && bad.stderr.contains("none or read"), "\(bad.output)")
    }
}
