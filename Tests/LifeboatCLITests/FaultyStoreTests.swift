import Foundation
import LifeboatTestSupport
import Testing

/// The repository layer on a bad day, on a local folder and on S3: a store that fails writes, keeps
/// less than it was given, fails or garbles reads, or lists late (`LIFEBOAT_STORE_FAULTS`, debug
/// builds). Reads are retried; everything else fails cleanly, and no backup commits without all its
/// objects stored whole.
@Suite("Faulty storage", .serialized)
struct FaultyStoreTests {
    enum Store: String, CaseIterable, Sendable { case local, s3 }

    private func harness(_ store: Store, name: String = #function) throws -> CLIHarness {
        var repository = "./repo"
        var environment: [String: String] = [:]
        if store == .s3 {
            let server = try S3TestServer.shared()
            repository = "s3://\(server.bucket)/faults-\(UUID().uuidString.prefix(8).lowercased())"
            environment = server.environment
        }
        var h = try CLIHarness(name: name + store.rawValue, config: """
        repository: \(repository)
        catalog: ./catalog.sqlite
        services:
          app:
            tier: tier-1-critical
            source: { type: files, paths: [./srv/app] }
        """)
        h.environment = environment
        try h.makeTestData(sizeMB: 1)
        try h.ok("init")
        try h.ok("backup", "app", "--full")
        return h
    }

    /// The repository is as it was: the backups listed are `expected`, every object verifies, and the
    /// next backup (without faults) succeeds and verifies.
    private func expectIntact(_ h: CLIHarness, backups expected: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try h.backupIDs() == expected, "a backup appeared or vanished", sourceLocation: sourceLocation)
        try h.ok("verify", "app", "--objects", sourceLocation: sourceLocation)
        try h.mutate(1)
        try h.ok("backup", "app", sourceLocation: sourceLocation)
        try h.ok("verify", "app", "--objects", sourceLocation: sourceLocation)
        try h.ok("doctor", sourceLocation: sourceLocation)
    }

    @Test("a write that fails, or a store that keeps less than it was given, commits no backup", arguments: Store.allCases)
    func writes(store: Store) throws {
        let h = try harness(store)
        defer { h.remove() }
        let before = try h.backupIDs()
        try h.mutate(2)
        let failed = try h.lifeboat("backup", "app", environment: ["LIFEBOAT_STORE_FAULTS": "write-error@1"])
        #expect(failed.status == 1 && failed.output.contains("injected write error"), "\(failed.output)")
        let short = try h.lifeboat("backup", "app", environment: ["LIFEBOAT_STORE_FAULTS": "short-write@1"])
        #expect(short.status == 1 && short.output.contains("the store kept") && short.output.contains("nothing that needs this object was committed"),
                "\(short.output)")
        try expectIntact(h, backups: before)
    }

    @Test("a garbled or failed first read is read again by verify; a restore that cannot read fails naming the object", arguments: Store.allCases)
    func reads(store: Store) throws {
        let h = try harness(store)
        defer { h.remove() }
        let before = try h.backupIDs()
        let garbled = try h.lifeboat("verify", "app", "--objects", environment: ["LIFEBOAT_STORE_FAULTS": "garbled-read@1"])
        #expect(garbled.status == 0, "a read garbled once was reported as damage: \(garbled.output)")
        let failing = try h.lifeboat("verify", "app", "--objects", environment: ["LIFEBOAT_STORE_FAULTS": "read-error@1"])
        #expect(failing.status == 0, "a read that failed once was reported as damage: \(failing.output)")
        let always = try h.lifeboat("verify", "app", "--objects", environment: ["LIFEBOAT_STORE_FAULTS": "garbled-read@1+"])
        #expect(always.status != 0 && always.output.contains("SHA-256"), "\(always.output)")
        let restore = try h.lifeboat("restore", "app", "--target", "\(h.root)/restored", environment: ["LIFEBOAT_STORE_FAULTS": "read-error@1+"])
        #expect(restore.status != 0 && restore.output.contains("injected read error"), "\(restore.output)")
        try expectIntact(h, backups: before)
    }

    @Test("listings that lag behind writes and slow operations leave the repository consistent", arguments: Store.allCases)
    func lagAndSlowness(store: Store) throws {
        let h = try harness(store)
        defer { h.remove() }
        try h.mutate(2)
        let lagging = try h.lifeboat("backup", "app", environment: ["LIFEBOAT_STORE_FAULTS": "list-lag@1+,slow:0.01"])
        #expect(lagging.status == 0, "\(lagging.output)")
        let ids = try h.backupIDs()
        #expect(ids.count == 2)
        try h.ok("verify", "app", "--objects")
        let target = "\(h.root)/restored"
        try h.ok("restore", "app", "--target", target)
        #expect(try TreeSnapshot(h.restored(in: target)).differences(from: try TreeSnapshot(h.source)) == [])
    }
}
