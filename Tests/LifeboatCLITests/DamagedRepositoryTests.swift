import Foundation
import Testing

/// Committed damaged repositories (`Fixtures/damaged/*/repo`, made by `Fixtures/damaged/make-fixtures`
/// from the format sample): `verify --objects` and `doctor` must print exactly the diagnosis beside
/// each (`verify.txt`, `doctor.txt`: the exit code, then the output), and `repair` must fix what needs
/// no decision. `LIFEBOAT_UPDATE_GOLDENS=1` rewrites the expected files, to be reviewed by hand.
@Suite("Damaged repository fixtures")
struct DamagedRepositoryTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/damaged").path

    /// A harness whose repository is a copy of the fixture, with a catalog rebuilt from it.
    private func harness(_ name: String) throws -> CLIHarness {
        let h = try CLIHarness(name: "damaged-\(name)")
        try h.shell("cp -R '\(Self.fixtures)/\(name)/repo' '\(h.root)/repo'")
        _ = try h.lifeboat("catalog", "rebuild")  // exits 3 when it skips a damaged backup.json
        return h
    }

    /// Exit code and output of `lifeboat ARGS`, with the test's folder shown as ROOT.
    private func transcript(_ h: CLIHarness, _ args: String...) throws -> String {
        let result = try h.run(CLIHarness.binary, args + ["--config", "\(h.root)/lifeboat.yaml"])
        return "exit \(result.status)\n\(result.stdout)\(result.stderr)".replacingOccurrences(of: h.root, with: "ROOT")
    }

    private func expect(_ text: String, file: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = "\(Self.fixtures)/\(file)"
        if ProcessInfo.processInfo.environment["LIFEBOAT_UPDATE_GOLDENS"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == expected, "\(file) differs:\n\(text)", sourceLocation: sourceLocation)
    }

    @Test("verify --objects and doctor print the exact diagnosis of each damage",
          arguments: ["missing-object", "truncated-object", "flipped-byte", "damaged-manifest", "damaged-backup-json",
                      "missing-parent", "foreign-file", "stale-lock"])
    func diagnosis(damage: String) throws {
        let h = try harness(damage)
        defer { h.remove() }
        try expect(try transcript(h, "verify", "--objects"), file: "\(damage)/verify.txt")
        try expect(try transcript(h, "doctor"), file: "\(damage)/doctor.txt")
    }

    @Test("repair removes debris, quarantines foreign files and clears stale leases; damage is left and named",
          arguments: ["foreign-file", "stale-lock", "missing-parent"])
    func repair(damage: String) throws {
        let h = try harness(damage)
        defer { h.remove() }
        try h.shell("mkdir -p '\(h.root)/repo/services/app/20261125T080000.000Z-dead' && touch '\(h.root)/repo/services/app/20261125T080000.000Z-dead/.tmp-data-0001.tar.zst-1-2'")
        let dry = try h.lifeboat("repair", "--dry-run")
        #expect(dry.stdout.contains("would remove: \(h.root)/repo/services/app/20261125T080000.000Z-dead"), "\(dry.output)")
        #expect(FileManager.default.fileExists(atPath: "\(h.root)/repo/services/app/20261125T080000.000Z-dead"))
        let repaired = try h.lifeboat("repair")
        let doctor = try h.lifeboat("doctor")
        switch damage {
        case "missing-parent":
            #expect(repaired.status == 1 && repaired.stdout.contains("left as is (damaged)"), "\(repaired.output)")
            #expect(doctor.status == 1 && doctor.stdout.contains("parent backup") && !doctor.stdout.contains("debris"), "\(doctor.output)")
        default:
            #expect(repaired.status == 0, "\(repaired.output)")
            #expect(doctor.status == 0, "\(doctor.output)")
        }
        if damage == "foreign-file" {
            let quarantined = try h.shell("find '\(h.root)/repo/quarantine' -type f | sort").stdout
            #expect(quarantined.contains("notes.txt") && quarantined.contains("stray.bin"), "\(quarantined)")
            #expect(try h.lifeboat("verify", "--objects").status == 0)
        }
    }
}
