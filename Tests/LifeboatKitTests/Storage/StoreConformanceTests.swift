import Foundation
import LifeboatNative
import Testing
@testable import LifeboatKit

/// What every store must do the same way: the repository layer relies on exactly these behaviours,
/// so one suite proves a local folder and an S3 bucket interchangeable.
@Suite("Object store conformance", .serialized)
struct StoreConformanceTests {
    private func bytes(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
        var state = UInt32(seed) &* 2_654_435_761 | 1
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 17; state ^= state << 5
            return UInt8(truncatingIfNeeded: state)
        }
    }

    private func readAll(_ source: any ByteSource) throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 70_000)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    /// 12 MB: more than two 5 MiB parts, so the S3 store uploads it as a multipart upload.
    @Test("an object is invisible until committed, then reads back whole with its size and SHA-256", arguments: StoreKind.allCases)
    func commitVisibility(kind: StoreKind) throws {
        let (store, cleanup) = try kind.make()
        defer { cleanup() }
        let data = bytes(12_000_000)
        let upload = try store.create("services/app/b1/data-0001.tar.zst")
        try upload.sink.write(Array(data[0..<1_000_000]))
        try upload.sink.write(Array(data[1_000_000...]))
        #expect(upload.bytesWritten == 12_000_000)
        #expect(try store.size("services/app/b1/data-0001.tar.zst") == nil)
        #expect(try store.list("services/app/b1").map(\.name).filter { !$0.hasPrefix(".") } == [])
        let object = try upload.commit()
        #expect(object.name == "data-0001.tar.zst" && object.size == 12_000_000)
        #expect(object.sha256 == SHA256Hasher.digest(data).hex)
        #expect(try store.size("services/app/b1/data-0001.tar.zst") == 12_000_000)
        #expect(try store.read("services/app/b1/data-0001.tar.zst") == data)
        let source = try #require(try store.open("services/app/b1/data-0001.tar.zst"))
        #expect(try readAll(source) == data)
        #expect(try source.drainAndDigest().hex == object.sha256 && source.bytesRead == 12_000_000)
    }

    @Test("a discarded upload leaves nothing; missing objects read as nil", arguments: StoreKind.allCases)
    func discardAndMissing(kind: StoreKind) throws {
        let (store, cleanup) = try kind.make()
        defer { cleanup() }
        let upload = try store.create("records/x/a.json")
        try upload.sink.write(bytes(100))
        upload.discard()
        #expect(try store.list("records/x").map(\.name).filter { !$0.hasPrefix(".") } == [])
        #expect(try store.read("records/x/a.json") == nil)
        #expect(try store.open("nope/none") == nil)
        #expect(try store.size("nope/none") == nil)
        #expect(!store.exists("nope/none"))
        #expect(try store.list("nope") == [])
    }

    @Test("list shows objects and folders directly inside, sorted, with sizes", arguments: StoreKind.allCases)
    func listing(kind: StoreKind) throws {
        let (store, cleanup) = try kind.make()
        defer { cleanup() }
        _ = try store.write(bytes(10), to: "services/app/b2/backup.json")
        _ = try store.write(bytes(20), to: "services/app/b1/backup.json")
        _ = try store.write(bytes(30), to: "services/app/b1/data-0001.tar.zst")
        _ = try store.write(bytes(5), to: "services/db/b1/backup.json")
        _ = try store.write(bytes(7), to: "lifeboat-repository.json")
        let top = try store.list("").filter { $0.name != "locks" }
        #expect(top.map(\.name) == ["lifeboat-repository.json", "services"])
        #expect(top.map(\.isFolder) == [false, true] && top[0].size == 7)
        #expect(try store.list("services").map(\.name) == ["app", "db"])
        #expect(try store.list("services/app").map(\.name) == ["b1", "b2"])
        let b1 = try store.list("services/app/b1")
        #expect(b1.map(\.name) == ["backup.json", "data-0001.tar.zst"] && b1.map(\.size) == [20, 30] && b1.allSatisfy { !$0.isFolder })
        #expect(store.folderBytes("services/app") == 60)
    }

    @Test("delete, deleteFolder, move and removeBackup", arguments: StoreKind.allCases)
    func removal(kind: StoreKind) throws {
        let (store, cleanup) = try kind.make()
        defer { cleanup() }
        for name in ["backup.json", "manifest.json.zst", "data-0001.tar.zst"] {
            _ = try store.write(bytes(50), to: "services/app/b1/\(name)")
            _ = try store.write(bytes(50), to: "services/app/b2/\(name)")
        }
        _ = try store.write(bytes(9), to: "stray.txt")
        try store.delete("services/app/b2/manifest.json.zst")
        try store.delete("services/app/b2/manifest.json.zst")
        #expect(try store.list("services/app/b2").map(\.name) == ["backup.json", "data-0001.tar.zst"])
        try store.deleteFolder("services/app/b2")
        #expect(try store.list("services/app").map(\.name) == ["b1"])
        try store.move("stray.txt", to: "quarantine/1/stray.txt")
        #expect(try store.read("quarantine/1/stray.txt") == bytes(9) && !store.exists("stray.txt"))
        try store.removeBackup("services/app/b1", record: "backup.json")
        #expect(try store.list("services/app").filter { !$0.name.hasPrefix(".") }.isEmpty)
        #expect(!store.exists("services/app/b1/backup.json"))
    }

    @Test("a lock is exclusive and names its holder; released, it can be taken again; locks lists it", arguments: StoreKind.allCases)
    func locks(kind: StoreKind) throws {
        let (store, cleanup) = try kind.make()
        defer { cleanup() }
        var lock: (any StoreLock)? = try store.lock(service: "app", purpose: "backup")
        let error = #expect(throws: LifeboatError.self) { try store.lock(service: "app", purpose: "prune") }
        #expect(error?.code == .locked && error?.message.contains("purpose=backup") == true, "\(String(describing: error))")
        let other = try store.lock(service: "db", purpose: "backup")
        let listed = try store.locks()
        #expect(listed.map(\.service) == ["app", "db"] && listed.allSatisfy(\.held))
        #expect(listed[0].lease.contains("pid=\(getpid())") && listed[0].lease.contains("purpose=backup"))
        lock = nil
        withExtendedLifetime(lock) {}
        let again = try store.lock(service: "app", purpose: "prune")
        withExtendedLifetime((again, other)) {}
    }

    @Test("an S3 lock whose lease was taken away refuses to confirm; a lease is judged by host, boot and PID namespace")
    func s3LeaseLost() throws {
        let (store, cleanup) = try StoreKind.s3.make()
        defer { cleanup() }
        let lock = try store.lock(service: "app", purpose: "backup")
        try lock.confirm()
        try store.deleteFolder("locks/app")
        let error = #expect(throws: LifeboatError.self) { try lock.confirm() }
        #expect(error?.code == .locked && error?.message.contains("was lost") == true, "\(String(describing: error))")

        let host = ProcessInfo.processInfo.hostName
        var dead: Int32 = 999_999
        while kill(dead, 0) == 0 || errno != ESRCH { dead -= 1 }
        #expect(S3Lock.holderIsGone("host=\(host) pid=\(dead) \(S3Lock.processSpace) purpose=backup"))
        #expect(!S3Lock.holderIsGone("host=\(host) pid=\(getpid()) \(S3Lock.processSpace) purpose=backup"), "a live holder")
        #expect(!S3Lock.holderIsGone("host=\(host) pid=\(dead) boot=another-boot pidns=1 purpose=backup"), "another boot or container")
        #expect(!S3Lock.holderIsGone("host=elsewhere pid=\(dead) \(S3Lock.processSpace) purpose=backup"), "another host")
    }
}
