import Foundation
import Glibc
import Testing

/// Mounts a tmpfs of `size` (`12m`) at `ROOT/name` (options such as `nr_inodes=40` appended); returns its path.
private func mount(_ h: CLIHarness, _ name: String, size: String, options: String = "") throws -> String {
    let path = "\(h.root)/\(name)"
    try h.shell("mkdir -p '\(path)' && mount -t tmpfs -o size=\(size)\(options.isEmpty ? "" : ",\(options)") tmpfs '\(path)'")
    return path
}

/// Unmounts what `mount` mounted (lazily: a process still inside cannot keep it busy).
private func unmount(_ h: CLIHarness, _ path: String) {
    _ = try? h.run("/bin/umount", ["-l", path])
}

/// Restores, verifications and backups on filesystems that fill up, through the binary. Small tmpfs
/// mounts stand in for the full disk (root only): `write` fails with ENOSPC there as on ext4.
@Suite("Full disks never end in a lie", .serialized, .enabled(if: geteuid() == 0, "mounting a tmpfs needs root"))
struct DiskFullRestoreTests {
    @Test("a restore that runs out of space exits 1 naming the file, the free space and what is needed, and leaves nothing behind")
    func restoreIntoFullDisk() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try h.shell("for i in 1 2 3 4 5 6; do head -c 3M /dev/urandom > srv/app/blob$i.bin; done")
        try h.ok("init")
        try h.ok("backup", "app")
        let small = try mount(h, "small", size: "12m")
        defer { unmount(h, small) }

        let result = try h.lifeboat("restore", "app", "--target", "\(small)/r")
        #expect(result.status == 1, "\(result.output)")
        #expect(!result.stdout.contains("restored"), "the summary claims a restore: \(result.stdout)")
        #expect(result.stderr.contains("no space left on tmpfs (mounted at \(small))"), "\(result.stderr)")
        #expect(result.stderr.contains("MiB free") && result.stderr.contains("18.0 MiB needed"), "\(result.stderr)")
        #expect(result.stderr.contains("blob") && result.stderr.contains("the partial restore was removed"), "\(result.stderr)")
        let left = try h.shell("find '\(small)' -mindepth 1").stdout
        #expect(left.isEmpty, "a failed restore left: \(left)")
    }

    @Test("restore --force and --exact over a good copy on a nearly full filesystem keep the good copy whole", arguments: ["--force", "--exact"])
    func replaceOnFullDisk(mode: String) throws {
        let h = try CLIHarness(name: "replaceOnFullDisk\(mode)")
        defer { h.remove() }
        try h.shell("head -c 5M /dev/urandom > srv/app/a.bin && head -c 5M /dev/urandom > srv/app/b.bin && echo small > srv/app/c.txt")
        try h.ok("init")
        try h.ok("backup", "app")
        let small = try mount(h, "small", size: "12m")
        defer { unmount(h, small) }
        try h.ok("restore", "app", "--target", "\(small)/r")
        let restored = h.restored(in: "\(small)/r")
        try h.shell("mkdir good && cp -a '\(restored)/.' good/")

        try h.shell("head -c 5M /dev/urandom > srv/app/a.bin && head -c 5M /dev/urandom > srv/app/b.bin && echo changed > srv/app/c.txt")
        try h.ok("backup", "app")
        let result = try h.lifeboat("restore", "app", mode, "--target", "\(small)/r")
        #expect(result.status == 1, "\(result.output)")
        #expect(result.stderr.contains("no space left on tmpfs") && result.stderr.contains("were left as they were"), "\(result.stderr)")
        // Every file is either the old version or the new one, never anything in between.
        for name in ["a.bin", "b.bin", "c.txt"] {
            let now = try Data(contentsOf: URL(fileURLWithPath: "\(restored)/\(name)"))
            let old = try Data(contentsOf: URL(fileURLWithPath: "\(h.root)/good/\(name)"))
            let new = try Data(contentsOf: URL(fileURLWithPath: "\(h.source)/\(name)"))
            #expect(now == old || now == new, "\(name) is neither the old nor the new version (\(now.count) bytes)")
        }
        let big = try Data(contentsOf: URL(fileURLWithPath: "\(restored)/a.bin"))
        #expect(big == (try Data(contentsOf: URL(fileURLWithPath: "\(h.root)/good/a.bin"))), "a.bin did not fit and must stay as it was")
        let temps = try h.shell("find '\(small)' -name '.lifeboat-restore*' ! -name .lifeboat-restore-incomplete").stdout
        #expect(temps.isEmpty, "temporary files left: \(temps)")
        #expect(FileManager.default.fileExists(atPath: "\(small)/r/.lifeboat-restore-incomplete"), "the target was not marked unfinished")

    }

    @Test("a verification whose scratch disk fills up is recorded as not run, and the report does not call the backup bad")
    func verifyOnFullScratch() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try h.shell("for i in 1 2 3; do head -c 3M /dev/urandom > srv/app/blob$i.bin; done")
        try h.ok("init")
        try h.ok("backup", "app")
        try h.ok("verify", "app")
        let small = try mount(h, "small", size: "4m")
        defer { unmount(h, small) }

        let result = try h.lifeboat("verify", "app", "--scratch", small)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.stdout.contains("NOT RUN app") && result.stdout.contains("no space left on tmpfs"), "\(result.output)")
        #expect(!result.stdout.contains("FAILED"), "\(result.stdout)")
        let records = try h.ok("verifications", "--json").stdout.split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let outcomes = records.compactMap { $0["outcome"] as? String }
        #expect(outcomes.sorted() == ["not-run", "passed"], "\(outcomes)")
        let notRun = try #require(records.first { $0["outcome"] as? String == "not-run" })
        #expect((notRun["problems"] as? [String])?.first?.contains("no space left") == true, "\(notRun)")

        let report = try h.lifeboat("report", "--format", "json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let service = try #require((object["services"] as? [[String: Any]])?.first)
        let reasons = service["reasons"] as? [String] ?? []
        #expect(!reasons.contains { $0.contains("verification failed") }, "\(reasons)")
        #expect(service["status"] as? String != "breached", "\(service["status"] ?? "") \(reasons)")
        let coverage = service["coverage"] as? [String: Any]
        #expect(coverage?["failedVerificationsInWindow"] as? Int == 0, "\(coverage ?? [:])")
    }

    /// The inodes a tmpfs has left (`df -i`).
    private func freeInodes(_ h: CLIHarness, _ path: String) throws -> Int {
        Int(try h.shell("df --output=iavail '\(path)' | tail -n 1").stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test("a backup that runs out of space at its manifest or at backup.json removes every object it wrote and says where", arguments: [1, 2])
    func backupFillsRepository(short: Int) throws {
        let h = try CLIHarness(name: "backupFillsRepository\(short)", config: CLIHarness.config(services: """
          app:
            tier: tier-1-critical
            source: { type: files, paths: [./srv/app] }
        """).replacingOccurrences(of: "repository: ./repo", with: "repository: ./small/repo"))
        defer { h.remove() }
        // Inodes, not bytes, run out: the backup's N-th new file fails exactly, whatever the compression.
        let small = try mount(h, "small", size: "64m", options: "nr_inodes=400")
        defer { unmount(h, small) }
        try h.shell("for i in $(seq 1 40); do echo line $i > srv/app/f$i.txt; done; head -c 1M /dev/urandom > srv/app/big.bin")
        try h.ok("init")
        try h.ok("backup", "app")
        try h.shell("cp -a '\(small)/repo' snapshot")
        try h.shell("echo more >> srv/app/f1.txt && head -c 2M /dev/urandom > srv/app/big.bin")
        // Measure what the incremental takes, then put the repository back and leave one or two inodes too few.
        let before = try freeInodes(h, small)
        try h.ok("backup", "app")
        let needed = before - (try freeInodes(h, small))
        try h.shell("rm -rf '\(small)/repo' && cp -a snapshot '\(small)/repo' && rm -f catalog.sqlite")
        let committed = try h.backupIDs()
        let spare = try freeInodes(h, small) - (needed - short)
        try h.shell("mkdir '\(small)/fill' && for i in $(seq 1 \(spare)); do : > '\(small)/fill/'$i; done")
        let used = try h.shell("du -sb --apparent-size '\(small)/repo' && find '\(small)/repo' | wc -l").stdout

        let result = try h.lifeboat("backup", "app")
        #expect(result.status == 1, "\(result.output)")
        #expect(result.stderr.contains("no space left on tmpfs (mounted at \(small))") && result.stderr.contains("the partial objects were removed"),
                "\(result.stderr)")
        #expect(try h.backupIDs() == committed)
        let after = try h.shell("du -sb --apparent-size '\(small)/repo' && find '\(small)/repo' | wc -l").stdout
        let listing = try h.shell("find '\(small)/repo/services'").stdout
        #expect(after == used, "the failed backup left objects behind: \(listing)")
        try h.shell("rm -rf '\(small)/fill'")
        try h.ok("backup", "app")
        try h.ok("verify", "app")
    }
}

@Suite("Full disks never end in a lie: checks, inodes, scratch", .serialized, .enabled(if: geteuid() == 0, "mounting a tmpfs needs root"))
struct DiskFullChecksTests {
    @Test("a check that fails because the scratch disk is full records the verification as not run, not failed")
    func checkOnFullScratch() throws {
        let h = try CLIHarness(config: CLIHarness.config(services: """
          app:
            tier: tier-1-critical
            source: { type: files, paths: [./srv/app] }
            checks: [ 'f=$(find "$LIFEBOAT_TARGET" -name big.bin); cp "$f" "$LIFEBOAT_TARGET/c1" && cp "$f" "$LIFEBOAT_TARGET/c2"' ]
        """))
        defer { h.remove() }
        try h.shell("head -c 4M /dev/urandom > srv/app/big.bin")
        try h.ok("init")
        try h.ok("backup", "app")
        let small = try mount(h, "small", size: "10m")
        defer { unmount(h, small) }
        let result = try h.lifeboat("verify", "app", "--scratch", small)
        #expect(result.status == 1 && result.stdout.contains("NOT RUN app") && result.stdout.contains("when check"), "\(result.output)")
        let listed = try h.ok("verifications", "--json").stdout
        #expect(listed.contains("\"outcome\":\"not-run\"") && !listed.contains("\"outcome\":\"failed\""), "\(listed)")
    }

    @Test("a restore out of inodes says inodes ran out, not bytes")
    func restoreOutOfInodes() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try h.shell("for i in $(seq 1 200); do echo $i > srv/app/f$i; done")
        try h.ok("init")
        try h.ok("backup", "app")
        let small = try mount(h, "small", size: "12m", options: "nr_inodes=60")
        defer { unmount(h, small) }
        let result = try h.lifeboat("restore", "app", "--target", "\(small)/r")
        #expect(result.status == 1 && result.stderr.contains("no inodes left on tmpfs"), "\(result.output)")
    }

    @Test("a scratch folder a killed verification left is removed by the next one")
    func staleScratch() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try h.shell("echo a > srv/app/a && mkdir scratch")
        try h.ok("init")
        try h.ok("backup", "app")
        let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || "._-".contains($0) }
        let namespace = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid").filter(\.isNumber)
        // A pid that is not running: a process that has exited.
        let gone = try h.shell("sh -c 'echo $$'").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try h.shell("mkdir -p 'scratch/lifeboat-verify-\(host)-\(namespace)-\(gone)-abcdef/tmp' && head -c 1M /dev/zero > 'scratch/lifeboat-verify-\(host)-\(namespace)-\(gone)-abcdef/tmp/x'")
        try h.ok("verify", "app", "--scratch", "\(h.root)/scratch")
        let left = try FileManager.default.contentsOfDirectory(atPath: "\(h.root)/scratch")
        #expect(left.isEmpty, "left in the scratch folder: \(left)")
    }
}
