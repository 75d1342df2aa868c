import Foundation
import LifeboatKit
import LifeboatTestSupport
import Synchronization
import Testing

/// Every repository feature through the binary on an S3 repository (a real moto server on loopback),
/// and the objects Lifeboat wrote read back by the AWS CLI and plain `zstd | tar`.
@Suite("S3 repositories through the binary", .serialized)
struct S3RepositoryTests {
    /// A harness whose repository is a fresh prefix of the test bucket.
    /// - Parameter serviceLines: more settings of service `app` (indented by four).
    private func harness(name: String = #function, encrypted: Bool = false, serviceLines: String = "") throws -> (CLIHarness, prefix: String) {
        let server = try S3TestServer.shared()
        let prefix = "cli-\(UUID().uuidString.prefix(8).lowercased())"
        var h = try CLIHarness(name: name, config: """
        repository: s3://\(server.bucket)/\(prefix)
        catalog: ./catalog.sqlite
        services:
          app:
            tier: tier-1-critical
            source: { type: files, paths: [./srv/app] }
        \(serviceLines)
        """)
        h.environment = server.environment
        if encrypted { h.environment["LIFEBOAT_PASSPHRASE"] = "correct horse battery staple" }
        return (h, prefix)
    }

    @Test("init, full and incremental backups, restore, verify, catalog rebuild, locks and doctor on S3")
    func lifecycle() throws {
        let (h, prefix) = try harness()
        defer { h.remove() }
        let server = try S3TestServer.shared()
        try h.makeTestData(sizeMB: 2)
        let created = try h.ok("init")
        #expect(created.stdout.contains("s3://\(server.bucket)/\(prefix)"))
        let again = try h.lifeboat("init")
        #expect(again.status == 1 && again.output.contains("already exists"), "\(again.output)")

        try h.ok("backup", "app", "--full")
        try h.mutate(1)
        let tree = try TreeSnapshot(h.source)
        let incremental = try h.ok("backup", "app", "--json")
        // The change set grew a log: only its new bytes were uploaded (a tail archive the restore below needs).
        let stats = try JSONSerialization.jsonObject(with: Data(incremental.stdout.utf8)) as? [String: Any]
        #expect((stats?["filesAppended"] as? Int ?? 0) >= 1, "\(incremental.output)")
        let ids = try h.backupIDs()
        #expect(ids.count == 2)

        let target = "\(h.root)/restored"
        try h.ok("restore", "app", "--target", target)
        #expect(try TreeSnapshot(h.restored(in: target)).differences(from: tree) == [])
        try h.ok("verify", "app", "--objects")
        let verified = try h.ok("verify", "app")
        #expect(verified.stdout.hasPrefix("OK app"), "\(verified.output)")

        try FileManager.default.removeItem(atPath: "\(h.root)/catalog.sqlite")
        let rebuilt = try h.ok("catalog", "rebuild")
        #expect(rebuilt.stdout.contains("2 backups"), "\(rebuilt.output)")
        #expect(try h.backupIDs() == ids)
        #expect(try h.ok("locks").stdout.contains("No locks"))
        let doctor = try h.ok("doctor")
        #expect(doctor.stdout.contains("no problems found"), "\(doctor.output)")
    }

    @Test("a full backup's objects are listed and fetched by the AWS CLI, and its archive extracts with zstd | tar")
    func awsInterop() throws {
        let (h, prefix) = try harness()
        defer { h.remove() }
        let server = try S3TestServer.shared()
        try h.makeTestData(sizeMB: 2)
        try h.ok("init")
        try h.ok("backup", "app", "--full")
        let id = try #require(try h.backupIDs().first)
        let aws = ["--endpoint-url", server.endpoint, "--region", "us-east-1"]
        let listing = try h.run("aws", aws + ["s3", "ls", "--recursive", "s3://\(server.bucket)/\(prefix)/services/app/\(id)/"])
        #expect(listing.status == 0, "\(listing.output)")
        #expect(listing.stdout.contains("backup.json") && listing.stdout.contains("manifest.json.zst") && listing.stdout.contains("data-0001.tar.zst"))
        try FileManager.default.createDirectory(atPath: "\(h.root)/plain", withIntermediateDirectories: true)
        let fetched = try h.run("aws", aws + ["s3", "cp", "--recursive", "s3://\(server.bucket)/\(prefix)/services/app/\(id)/", "\(h.root)/fetched/"])
        #expect(fetched.status == 0, "\(fetched.output)")
        try h.shell("cd '\(h.root)/plain' && for a in ../fetched/data-*.tar.zst; do zstd -dc \"$a\" | tar -x --warning=no-unknown-keyword; done")
        #expect(try TreeSnapshot("\(h.root)/plain\(h.source)").differences(from: try TreeSnapshot(h.source)) == [])
    }

    @Test("an encrypted S3 repository round-trips, and its objects hold no plaintext")
    func encrypted() throws {
        let (h, prefix) = try harness(encrypted: true)
        defer { h.remove() }
        let server = try S3TestServer.shared()
        try h.makeTestData(sizeMB: 1)
        try "a recognisable line of plaintext\n".write(toFile: "\(h.source)/marker.txt", atomically: false, encoding: .utf8)
        try h.ok("init", "--encrypt")
        try h.ok("backup", "app")
        let target = "\(h.root)/restored"
        try h.ok("restore", "app", "--target", target)
        #expect(try TreeSnapshot(h.restored(in: target)).differences(from: try TreeSnapshot(h.source)) == [])
        let aws = ["--endpoint-url", server.endpoint, "--region", "us-east-1"]
        let fetched = try h.run("aws", aws + ["s3", "cp", "--recursive", "s3://\(server.bucket)/\(prefix)/", "\(h.root)/raw/"])
        #expect(fetched.status == 0, "\(fetched.output)")
        let names = try h.shell("cd '\(h.root)/raw' && find . -type f | sort").stdout
        #expect(names.contains("backup.json.enc") && names.contains("data-0001.tar.zst.enc") && names.contains("./keys/"))
        let leaks = try h.run("/bin/bash", ["-c", "grep -rl 'recognisable line' '\(h.root)/raw' || true"]).stdout
        #expect(leaks.isEmpty, "plaintext found in \(leaks)")
    }

    @Test("an S3 server failing every 4th request with a 500 or 503 still yields complete backups that verify and restore")
    func flakyServer() throws {
        let server = try S3TestServer.shared()
        let port = try #require(URL(string: server.endpoint)?.port)
        // Every 4th request fails, but never the same request line twice (so that a retry landing on a
        // multiple of 4 again cannot exhaust the attempts by chance: that would test luck, not retries).
        let failedOnce = Mutex<Set<String>>([])
        let proxy = try FaultProxy(upstreamPort: port) { number, line in
            guard number % 4 == 0, failedOnce.withLock({ $0.insert(line).inserted }) else { return nil }
            return .status(number % 8 == 0 ? 503 : 500, code: number % 8 == 0 ? "SlowDown" : "InternalError")
        }
        defer { proxy.stop() }
        var (h, _) = try harness()
        defer { h.remove() }
        h.environment["AWS_ENDPOINT_URL"] = proxy.endpoint
        try h.makeTestData(sizeMB: 2)
        try h.ok("init")
        try h.ok("backup", "app", "--full")
        try h.mutate(1)
        try h.ok("backup", "app")
        try h.ok("verify", "app", "--objects")
        let target = "\(h.root)/restored"
        try h.ok("restore", "app", "--target", target)
        #expect(try TreeSnapshot(h.restored(in: target)).differences(from: try TreeSnapshot(h.source)) == [])
        #expect(proxy.faults >= 10, "only \(proxy.faults) faults were injected")
        let backups = try h.ok("backups", "--json").stdout.split(separator: "\n")
        #expect(backups.count == 2 && backups.allSatisfy { $0.contains(#""status":"complete""#) }, "\(backups)")
    }

    @Test("a plan's restore and verify steps reach an encrypted S3 repository (credentials and passphrase by environment)")
    func planSteps() throws {
        let (h, _) = try harness(encrypted: true)
        defer { h.remove() }
        try h.makeTestData(sizeMB: 0.5)
        try h.ok("init", "--encrypt")
        try h.ok("backup", "app")
        try """
        name: restore-app
        tier: tier-1-critical
        services: [app]
        vars: { target: null }
        steps:
          - { id: restore, restore: { service: app, target: "{{target}}", mode: empty } }
          - { id: verify, verify: app }
        """.write(toFile: "\(h.root)/plan.yaml", atomically: true, encoding: .utf8)
        let run = try h.lifeboat("plan", "run", "\(h.root)/plan.yaml", "--var", "target=\(h.root)/restored")
        #expect(run.status == 0, "\(run.output)")
        #expect(try TreeSnapshot(h.restored(in: "\(h.root)/restored")).differences(from: try TreeSnapshot(h.source)) == [])
    }

    @Test("prune on S3 removes what the tier does not keep, objects included")
    func prune() throws {
        let server = try S3TestServer.shared()
        let (h, prefix) = try harness(serviceLines: "    keep: { last: 1 }")
        defer { h.remove() }
        try h.makeTestData(sizeMB: 0.5)
        try h.ok("init")
        try h.ok("backup", "app", "--full")
        try h.mutate(1)
        try h.ok("backup", "app", "--full")
        let ids = try h.backupIDs()
        #expect(ids.count == 2)
        try h.ok("prune", "app")
        #expect(try h.backupIDs() == [ids[1]])
        let listing = try h.run("aws", ["--endpoint-url", server.endpoint, "--region", "us-east-1", "s3", "ls", "--recursive", "s3://\(server.bucket)/\(prefix)/services/app/"])
        #expect(listing.status == 0 && !listing.stdout.contains(ids[0]) && listing.stdout.contains(ids[1]), "\(listing.output)")
        try h.ok("verify", "app", "--objects")
    }

    @Test("on S3, a restore that starts while prune removes its backup waits and is told \"removed by prune at T\"; a prune during a restore removes nothing")
    func pruneAndReaders() throws {
        let server = try S3TestServer.shared()
        let (h, prefix) = try harness(serviceLines: "    keep: { last: 1 }")
        defer { h.remove() }
        try h.makeTestData(sizeMB: 0.5)
        try h.ok("init")
        for k in 0..<3 {
            if k > 0 { try h.mutate(k) }
            try h.ok("backup", "app", "--full")
        }
        var ids = try h.backupIDs()
        let store = try server.store(prefix: prefix)
        func holdsLease(_ side: String) -> @Sendable () -> Bool {
            { ((try? store.list("locks/app/\(side)")) ?? []).contains { $0.name.hasSuffix(".lease") } }
        }
        let target = "\(h.root)/restored"
        let first = h.concurrently([
            .init(args: ["prune", "app"], environment: ["LIFEBOAT_FAULT": "prune.before-delete", "LIFEBOAT_FAULT_MODE": "pause:3"]),
            .init(args: ["restore", "app", "--backup", ids[0], "--target", target], startWhen: holdsLease("pruning")),
        ])
        #expect(first[0].status == 0, "\(first[0].output)")
        #expect(first[1].status == 1 && first[1].stderr.contains("backup \(ids[0]) of service app was removed by prune at "), "\(first[1].output)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []).isEmpty)
        #expect(try h.backupIDs() == [ids[2]])
        let pruned = ids[0]

        try h.mutate(3)
        try h.ok("backup", "app", "--full")
        ids = try h.backupIDs()
        let tree = try TreeSnapshot(h.source)
        try h.shell("rm -rf srv/app")
        let second = h.concurrently([
            .init(args: ["restore", "app", "--backup", ids[1], "--target", target],
                  environment: ["LIFEBOAT_FAULT": "reader.after-lease", "LIFEBOAT_FAULT_MODE": "pause:3"]),
            .init(args: ["prune", "app"], startWhen: holdsLease("readers")),
        ])
        #expect(second[0].status == 0, "\(second[0].output)")
        #expect(second[1].status == 0 && second[1].stderr.contains("were not removed"), "\(second[1].output)")
        #expect(try h.backupIDs() == ids)
        #expect(try TreeSnapshot(h.restored(in: target)).differences(from: tree) == [])
        #expect(((try? store.list("locks/app/readers")) ?? []).isEmpty && ((try? store.list("locks/app/pruning")) ?? []).isEmpty)
        let verify = try h.lifeboat("verify", "app", "--backup", pruned)
        #expect(verify.status == 1 && verify.stderr.contains("backup \(pruned) of service app was removed by prune at"), "\(verify.output)")
    }

    @Test("doctor lists uploads a killed process never finished, once old enough; repair aborts them")
    func unfinishedUploads() throws {
        let (h, prefix) = try harness()
        defer { h.remove() }
        let server = try S3TestServer.shared()
        try h.makeTestData(sizeMB: 0.2)
        try h.ok("init")
        try h.ok("backup", "app")
        let client = try server.client()
        let key = "\(prefix)/services/app/20261125T000000.000Z-dead/data-0001.tar.zst"
        _ = try client.createMultipartUpload(key: key)
        // (moto reports every upload as started in 2010, so the age limit cannot be shown young here.)
        let old = try h.lifeboat("doctor", "--uploads-older-than", "0s")
        #expect(old.status == 1 && old.stdout.contains("unfinished upload: an upload of s3://\(server.bucket)/\(key)"), "\(old.output)")
        let repaired = try h.lifeboat("repair", "--uploads-older-than", "0s")
        #expect(repaired.status == 0 && repaired.stdout.contains("abort upload: s3://\(server.bucket)/\(key)"), "\(repaired.output)")
        #expect(try client.listMultipartUploads(prefix: prefix + "/").isEmpty)
        try h.ok("doctor", "--uploads-older-than", "0s")
    }

    @Test("init creates a bucket that does not exist yet")
    func createsBucket() throws {
        let server = try S3TestServer.shared()
        let bucket = "lifeboat-new-\(UUID().uuidString.prefix(8).lowercased())"
        var h = try CLIHarness(config: """
        repository: s3://\(bucket)/prod
        catalog: ./catalog.sqlite
        services:
          app:
            source: { type: files, paths: [./srv/app] }
        """)
        defer { h.remove() }
        h.environment = server.environment
        try h.makeTestData(sizeMB: 0.1)
        try h.ok("init")
        try h.ok("backup", "app")
        let listing = try h.run("aws", ["--endpoint-url", server.endpoint, "--region", "us-east-1", "s3", "ls", "s3://\(bucket)/prod/"])
        #expect(listing.status == 0 && listing.stdout.contains("lifeboat-repository.json"), "\(listing.output)")
    }
}
