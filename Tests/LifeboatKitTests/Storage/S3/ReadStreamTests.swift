import Foundation
import LifeboatNative
import LifeboatTestSupport
@testable import LifeboatKit
import Testing

@Suite("S3ReadStream against moto")
struct ReadStreamTests {
    @Test("a multi-chunk object read with read-ahead: same bytes, same SHA-256, any buffer size")
    func multiChunk() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint)
        let bytes = patternBytes(5 * mebibyte + 123)
        try client.put(key: "obj", bytes: bytes)
        for pieceSize in [1000, 64 * 1024, 3 * mebibyte] {
            let stream = try S3ReadStream(client: client, key: "obj", chunkSize: mebibyte, readAhead: 3)
            #expect(stream.name == "s3://lifeboat-test/obj")
            #expect(stream.size == Int64(bytes.count))
            #expect(try readAll(stream, pieceSize: pieceSize) == bytes)
            #expect(try stream.drainAndDigest() == SHA256Hasher.digest(bytes))
        }
    }

    @Test("drainAndDigest after a partial read hashes the rest; an empty object is zero bytes")
    func drain() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint)
        let bytes = patternBytes(2 * mebibyte + 1)
        try client.put(key: "obj", bytes: bytes)
        let stream = try S3ReadStream(client: client, key: "obj", chunkSize: 300_000, readAhead: 2)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 10, alignment: 1)
        defer { buffer.deallocate() }
        #expect(try stream.read(into: buffer) == 10)
        #expect(Array(buffer) == Array(bytes[0..<10]))
        #expect(try stream.drainAndDigest() == SHA256Hasher.digest(bytes))
        #expect(stream.bytesRead == Int64(bytes.count))

        try client.put(key: "empty", bytes: [])
        let empty = try S3ReadStream(client: client, key: "empty")
        #expect(try empty.read(into: buffer) == 0)
        #expect(try empty.drainAndDigest() == SHA256Hasher.digest([]))
    }

    @Test("a missing object names the key; an object replaced mid-read fails instead of mixing versions")
    func missingAndReplaced() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint)
        let missing = try #require(lifeboatError { _ = try S3ReadStream(client: client, key: "repo/objects/ab/gone") })
        #expect(missing.code == .corrupt)
        #expect(missing.message == "s3://lifeboat-test/repo/objects/ab/gone is missing: the object was deleted or never written; run lifeboat verify to see which backups need it.")

        try client.put(key: "obj", bytes: patternBytes(4 * mebibyte))
        let stream = try S3ReadStream(client: client, key: "obj", chunkSize: mebibyte, readAhead: 1)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1000, alignment: 1)
        defer { buffer.deallocate() }
        _ = try stream.read(into: buffer)
        try client.put(key: "obj", bytes: patternBytes(4 * mebibyte, seed: 42))
        let replaced = try #require(lifeboatError { _ = try stream.drainAndDigest() })
        #expect(replaced.message.contains("failed with HTTP 412 PreconditionFailed"))
        #expect(replaced.message.hasSuffix("The object changed while it was being read (it was overwritten): read it again."))
    }
}
