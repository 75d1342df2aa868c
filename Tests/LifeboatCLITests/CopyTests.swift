import Foundation
import LifeboatTestSupport
import Testing

/// `lifeboat copy`: a local repository to an encrypted S3 one, idempotent, resumed after a crash, and
/// the copy restores without the source.
@Suite("Copies between repositories", .serialized)
struct CopyTests {
    /// - Parameter serviceLines: more settings of service `app` (indented by four).
    private func harness(name: String = #function, serviceLines: String = "") throws -> (CLIHarness, offsite: String) {
        let server = try S3TestServer.shared()
        let offsite = "s3://\(server.bucket)/copy-\(UUID().uuidString.prefix(8).lowercased())"
        var h = try CLIHarness(name: name, config: """
        repository: ./repo
        catalog: ./catalog.sqlite
        repositories:
          offsite: { url: \(offsite) }
        services:
          app:
            tier: tier-1-critical
            source: { type: files, paths: [./srv/app] }
        \(serviceLines)
        """)
        h.environment = server.environment
        h.environment["LIFEBOAT_TARGET_PASSPHRASE"] = "offsite secret"
        // A config that reads the off-site copy as its main repository, for restoring from it alone.
        try """
        repository: \(offsite)
        catalog: ./offsite.sqlite
        services:
          app:
            tier: tier-1-critical
            source: { type: files, paths: [./srv/app] }
        """.write(toFile: "\(h.root)/offsite.yaml", atomically: true, encoding: .utf8)
        return (h, offsite)
    }

    @Test("copies what the target lacks, then nothing; the encrypted off-site copy restores on its own")
    func copyAndRestore() throws {
        let (h, _) = try harness()
        defer { h.remove() }
        try h.makeTestData(sizeMB: 1)
        try h.ok("init")
        let created = try h.lifeboat("init", "--repository", "offsite", "--encrypt")
        #expect(created.status == 0 && created.stdout.contains("encrypted"), "\(created.output)")
        try h.ok("backup", "app", "--full")
        try h.mutate(1)
        try h.ok("backup", "app")
        let tree = try TreeSnapshot(h.source)
        let first = try h.ok("copy", "--to", "offsite")
        #expect(first.stdout.contains("app: copied 2 backups to offsite") && first.stdout.contains("0 already there"), "\(first.output)")
        let again = try h.ok("copy", "--to", "offsite", "app")
        #expect(again.stdout.contains("app: copied 0 backups") && again.stdout.contains("2 already there"), "\(again.output)")
        let records = try FileManager.default.contentsOfDirectory(atPath: "\(h.root)/repo/records/copies")
        #expect(records.count == 2)

        let offsite = ["--config", "\(h.root)/offsite.yaml"]
        let environment = ["LIFEBOAT_PASSPHRASE": "offsite secret"]
        let verify = try h.run(CLIHarness.binary, ["verify", "app", "--objects"] + offsite, environment: environment)
        #expect(verify.status == 0, "\(verify.output)")
        let restore = try h.run(CLIHarness.binary, ["restore", "app", "--target", "\(h.root)/from-offsite"] + offsite, environment: environment)
        #expect(restore.status == 0, "\(restore.output)")
        #expect(try TreeSnapshot(h.restored(in: "\(h.root)/from-offsite")).differences(from: tree) == [])
        let wrongTarget = try h.lifeboat("copy", "--to", "offsite", environment: ["LIFEBOAT_TARGET_PASSPHRASE": "nope"])
        #expect(wrongTarget.status == 2 && wrongTarget.output.contains("does not open"), "\(wrongTarget.output)")
    }

    @Test("a copy killed before a backup's commit leaves no backup in the target; the next copy redoes it", arguments: ["copy.mid-objects@2", "copy.before-commit"])
    func resumed(fault: String) throws {
        let (h, _) = try harness(name: "resumed\(fault.filter(\.isLetter))")
        defer { h.remove() }
        try h.makeTestData(sizeMB: 1)
        try h.ok("init")
        try h.ok("init", "--repository", "offsite")
        try h.ok("backup", "app")
        let crashed = try h.lifeboat("copy", "--to", "offsite", environment: ["LIFEBOAT_FAULT": fault])
        #expect(crashed.status != 0, "the fault point was not reached: \(crashed.output)")
        let offsite = ["--config", "\(h.root)/offsite.yaml"]
        let listed = try h.run(CLIHarness.binary, ["backups", "--json"] + offsite)
        #expect(listed.status == 0 && listed.stdout.isEmpty, "a half-copied backup is visible: \(listed.output)")
        let next = try h.ok("copy", "--to", "offsite")
        #expect(next.stdout.contains("copied 1 backup") && next.stdout.contains("interrupted copy redone"), "\(next.output)")
        let verify = try h.run(CLIHarness.binary, ["verify", "app", "--objects"] + offsite)
        #expect(verify.status == 0, "\(verify.output)")
    }

    @Test("a damaged backup in the source is reported and not copied; the others are, exit 3")
    func damagedSource() throws {
        let (h, _) = try harness()
        defer { h.remove() }
        try h.makeTestData(sizeMB: 1)
        try h.ok("init")
        try h.ok("init", "--repository", "offsite")
        try h.ok("backup", "app", "--full")
        try h.mutate(1)
        try h.ok("backup", "app", "--full")
        let ids = try h.backupIDs()
        try h.shell("printf 'X' | dd of='\(h.backupFolder(ids[0]))/data-0001.tar.zst' bs=1 seek=1000 conv=notrunc 2>/dev/null")
        let copied = try h.lifeboat("copy", "--to", "offsite")
        #expect(copied.status == 3, "\(copied.output)")
        #expect(copied.stdout.contains("copied 1 backup") && copied.stdout.contains("FAILED \(ids[0])") && copied.stdout.contains("data-0001.tar.zst"), "\(copied.output)")
        let listed = try h.run(CLIHarness.binary, ["backups", "--json", "--config", "\(h.root)/offsite.yaml"])
        #expect(listed.stdout.contains(ids[1]) && !listed.stdout.contains(ids[0]), "\(listed.output)")
    }

    @Test("run-due copies each new backup to the tier's copy_to")
    func runDueCopies() throws {
        let (h, offsite) = try harness(serviceLines: "    copy_to: [offsite]")
        defer { h.remove() }
        try h.makeTestData(sizeMB: 0.5)
        try h.ok("init")
        try h.ok("init", "--repository", "offsite")
        let check = try h.ok("config", "check").stdout
        #expect(check.contains("copy target offsite: \(offsite)") && check.contains("copied to offsite by run-due"), "\(check)")
        try h.ok("backup", "app")
        let before = try reportedOffsite(h)
        #expect(before.offsite?["recoveryPoints"] as? Int == 0 && before.reasons.contains { $0.hasPrefix("off-site copy missing: no backup has been copied to offsite") },
                "\(before)")
        let due = try h.ok("run-due")
        // Every backup so far (the one before, and one run-due took if one was due) is copied.
        let backups = try h.backupIDs().count
        #expect(due.stdout.contains("app: copy success") && due.stdout.contains("copied \(backups) to offsite"), "\(due.output)")
        let copies = try FileManager.default.contentsOfDirectory(atPath: "\(h.root)/repo/records/copies")
        #expect(copies.count == backups)
        // The report counts the backup as off-site from when its copy finished.
        let after = try reportedOffsite(h)
        #expect(after.offsite?["recoveryPoints"] as? Int == backups && after.offsite?["currentExposureSeconds"] is Double, "\(after)")
        #expect(!after.reasons.contains { $0.hasPrefix("off-site") }, "\(after.reasons)")
    }

    /// The off-site RPO figures and the reasons of service `app` in `lifeboat report --format json`.
    private func reportedOffsite(_ h: CLIHarness) throws -> (offsite: [String: Any]?, reasons: [String]) {
        let json = try h.lifeboat("report", "--format", "json").stdout
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let service = try #require((report["services"] as? [[String: Any]])?.first)
        let offsite = service["offsite"] as? [String: Any]
        #expect(offsite?["targets"] as? [String] == ["offsite"])
        return (offsite?["rpo"] as? [String: Any], service["reasons"] as? [String] ?? [])
    }
}
