import Foundation
import LifeboatNative
import LifeboatTestSupport
@testable import LifeboatKit
import Synchronization
import Testing

@Suite("S3 objects against moto")
struct ObjectTests {
    @Test("put, get, head with metadata, list, delete: a round trip with exact values")
    func roundTrip() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint)
        #expect(try client.bucketExists())
        let bytes = patternBytes(100_000)
        let etag = try client.put(key: "repo/objects/ab/one", bytes: bytes, metadata: ["Lifeboat-Sha256": "abc123"])
        // A single PUT's ETag is the MD5 of the body: 32 hex digits, no "-N" part count.
        #expect(etag.count == 32 && etag.allSatisfy(\.isHexDigit))
        try client.put(key: "repo/objects/cd/two", bytes: [1, 2, 3])
        try client.put(key: "repo/config", bytes: [])

        #expect(try client.get(key: "repo/objects/ab/one") == bytes)
        #expect(try client.get(key: "repo/config") == [])
        let head = try #require(try client.head(key: "repo/objects/ab/one"))
        #expect(head.size == 100_000)
        #expect(head.etag == etag)
        #expect(head.metadata == ["lifeboat-sha256": "abc123"])

        let all = try client.list(prefix: "repo/")
        #expect(all.objects.map(\.key) == ["repo/config", "repo/objects/ab/one", "repo/objects/cd/two"])
        #expect(all.objects.map(\.size) == [0, 100_000, 3])
        #expect(all.commonPrefixes == [])
        let top = try client.list(prefix: "repo/", delimiter: "/")
        #expect(top.objects.map(\.key) == ["repo/config"])
        #expect(top.commonPrefixes == ["repo/objects/"])

        try client.delete(key: "repo/objects/cd/two")
        try client.delete(key: "repo/objects/cd/two")  // already gone: fine
        #expect(try client.get(key: "repo/objects/cd/two") == nil)
        #expect(try client.list(prefix: "repo/objects/").objects.map(\.key) == ["repo/objects/ab/one"])
    }

    @Test("virtual-hosted style (bucket.localhost) works as well as path style")
    func virtualHosted() throws {
        let moto = try MotoServer()
        // curl resolves *.localhost to loopback itself, so lifeboat-test.localhost reaches moto.
        let client = try makeClient("http://localhost:\(moto.port)") { $0.pathStyle = false }
        let bytes = patternBytes(6 * mebibyte)
        let stream = try S3UploadStream(client: client, key: "v/big")
        try stream.write(bytes)
        _ = try stream.finish()
        try client.put(key: "v/small", bytes: [1])
        #expect(try client.list(prefix: "v/").objects.map(\.key) == ["v/big", "v/small"])
        #expect(try client.get(key: "v/big") == bytes)
        // The same objects, seen through path style.
        let pathStyle = try makeClient(moto.endpoint, create: false)
        #expect(try pathStyle.get(key: "v/small") == [1])
    }

    @Test("keys with spaces, plus signs, unicode and reserved characters round-trip through put and list")
    func awkwardKeys() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint)
        let keys = ["p/a b", "p/a+b", "p/é✓", "p/q?x=1&y=%2F", "p/~tilde_-.", "p/semi;colon,comma'quote\"", "p/#hash"]
        for (index, key) in keys.enumerated() { try client.put(key: key, bytes: [UInt8(index)]) }
        #expect(Set(try client.list(prefix: "p/").objects.map(\.key)) == Set(keys))
        for (index, key) in keys.enumerated() { #expect(try client.get(key: key) == [UInt8(index)]) }
    }

    @Test("a missing key reads as nil; a missing bucket is an error that says to create it")
    func missing() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint)
        #expect(try client.get(key: "nope") == nil)
        #expect(try client.head(key: "nope") == nil)

        let absent = try makeClient(moto.endpoint, bucket: "no-such-bucket", create: false)
        #expect(try absent.bucketExists() == false)
        let error = try #require(lifeboatError { _ = try absent.get(key: "k") })
        #expect(error.code == .repository)
        #expect(error.message == "S3 GET s3://no-such-bucket/k failed with HTTP 404 NoSuchBucket: The specified bucket does not exist. Bucket \"no-such-bucket\" does not exist at \(moto.endpoint): `lifeboat init` creates it for a new repository (or aws s3 mb s3://no-such-bucket --endpoint-url \(moto.endpoint)), or fix the bucket name in the s3:// URL or the endpoint.")
        let listError = try #require(lifeboatError { _ = try absent.list(prefix: "") })
        #expect(listError.code == .repository)
    }

    @Test("ranged GETs return exactly the bytes asked for, and refuse ranges past the end")
    func ranges() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint)
        let bytes = patternBytes(10_000)
        try client.put(key: "k", bytes: bytes)
        #expect(try client.get(key: "k", range: 0..<10) == Array(bytes[0..<10]))
        #expect(try client.get(key: "k", range: 9_990..<10_000) == Array(bytes[9_990..<10_000]))
        #expect(try client.get(key: "k", range: 1234..<5678) == Array(bytes[1234..<5678]))
        #expect(try client.get(key: "k", range: 5..<5) == [])

        let short = try #require(lifeboatError { _ = try client.get(key: "k", range: 9_000..<11_000) })
        #expect(short.code == .corrupt)
        #expect(short.message == "S3 GET s3://lifeboat-test/k bytes 9000..<11000 returned 1000 bytes instead of 2000: the object is shorter than expected (truncated or replaced); run lifeboat verify.")
        let past = try #require(lifeboatError { _ = try client.get(key: "k", range: 20_000..<20_010) })
        #expect(past.message.hasPrefix("S3 GET s3://lifeboat-test/k bytes 20000..<20010 failed with HTTP 416 InvalidRange"))
        let gone = try #require(lifeboatError { _ = try client.get(key: "gone", range: 0..<1) })
        #expect(gone.code == .corrupt)
        #expect(gone.message.hasPrefix("S3 GET s3://lifeboat-test/gone bytes 0..<1 failed with HTTP 404 NoSuchKey"))
    }

    @Test("listing pages: a small page size follows continuation tokens to the end")
    func smallPages() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint)
        let keys = (0..<25).map { String(format: "pages/%03d", $0) }
        for key in keys { try client.put(key: key, bytes: [7]) }
        var pageSizes = [Int]()
        try client.forEachListPage(prefix: "pages/", pageSize: 7) { objects, _ in pageSizes.append(objects.count) }
        #expect(pageSizes == [7, 7, 7, 4])
        #expect(try client.list(prefix: "pages/", pageSize: 7).objects.map(\.key) == keys)
    }

    @Test("1,100 keys: listed across two 1000-key pages, deleted in two DeleteObjects batches")
    func manyKeys() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint)
        let keys = (0..<1100).map { String(format: "many/%04d", $0) }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { lane in
            for index in stride(from: lane, to: keys.count, by: 8) {
                do { try client.put(key: keys[index], bytes: [UInt8(index % 251)]) } catch { failures.add(error) }
            }
        }
        #expect(failures.count == 0)
        var pageSizes = [Int]()
        try client.forEachListPage(prefix: "many/") { objects, _ in pageSizes.append(objects.count) }
        #expect(pageSizes == [1000, 100])
        #expect(try client.list(prefix: "many/").objects.map(\.key) == keys)

        try client.deleteMany(keys: keys + ["many/never-existed"])
        #expect(try client.list(prefix: "many/").objects.isEmpty)
    }
}

/// Errors collected from several threads.
final class Failures: Sendable {
    private let errors = Mutex<[any Error]>([])
    func add(_ error: any Error) { errors.withLock { $0.append(error) } }
    var count: Int { errors.withLock { $0.count } }
}
