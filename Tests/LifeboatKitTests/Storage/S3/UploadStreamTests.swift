import Foundation
import LifeboatNative
import LifeboatTestSupport
@testable import LifeboatKit
import Testing

@Suite("S3UploadStream against moto")
struct UploadStreamTests {
    /// Writes `bytes` in pieces of varying sizes, so part boundaries fall inside writes.
    func write(_ bytes: [UInt8], to stream: S3UploadStream) throws {
        let pieces = [1, 4096, 1_000_003, 77, 3 * mebibyte + 5]
        var offset = 0
        var index = 0
        while offset < bytes.count {
            let n = min(pieces[index % pieces.count], bytes.count - offset)
            try bytes[offset..<offset + n].withUnsafeBytes { try stream.write($0) }
            offset += n
            index += 1
        }
    }

    @Test("3.5 parts of 5 MiB: multipart in parallel, read back byte-identical, SHA-256 equal, no upload left")
    func multipart() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint) { $0.maxParallel = 3 }
        let bytes = patternBytes(7 * mebibyte / 2 * 5)  // 17.5 MiB
        let stream = try S3UploadStream(client: client, key: "big", metadata: ["purpose": "test"])
        try write(bytes, to: stream)
        let result = try stream.finish()
        #expect(result.size == Int64(bytes.count))
        #expect(result.sha256 == SHA256Hasher.digest(bytes))

        let head = try #require(try client.head(key: "big"))
        #expect(head.size == Int64(bytes.count))
        #expect(head.etag.hasSuffix("-4"))  // S3's multipart ETag: MD5 of the part MD5s, dash, part count
        #expect(head.metadata == ["purpose": "test"])
        #expect(try client.get(key: "big") == bytes)
        #expect(try client.listMultipartUploads(prefix: "") == [])
    }

    @Test("an object that fits in one part (even exactly) goes up in a single PUT")
    func singlePut() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint)
        for (key, size) in [("empty", 0), ("small", 1000), ("exact", 5 * mebibyte)] {
            let bytes = patternBytes(size, seed: UInt64(size + 1))
            let stream = try S3UploadStream(client: client, key: key)
            try write(bytes, to: stream)
            let result = try stream.finish()
            #expect(result.size == Int64(size))
            #expect(result.sha256 == SHA256Hasher.digest(bytes))
            let head = try #require(try client.head(key: key))
            #expect(!head.etag.contains("-"), "\(key) was uploaded in parts")
            #expect(try client.get(key: key) == bytes)
        }
        #expect(try client.listMultipartUploads(prefix: "") == [])
    }

    @Test("many small parts on a server with a 64 KiB floor arrive in order")
    func manyParts() throws {
        let moto = try MotoServer(environment: ["S3_UPLOAD_PART_MIN_SIZE": "65536"])
        let client = try makeClient(moto.endpoint) { settings in
            settings.minimumPartSize = 64 * 1024
            settings.partSize = 64 * 1024
            settings.maxParallel = 6
        }
        let bytes = patternBytes(40 * 64 * 1024 + 12_345)
        let stream = try S3UploadStream(client: client, key: "parts")
        try write(bytes, to: stream)
        #expect(try stream.finish().sha256 == SHA256Hasher.digest(bytes))
        #expect(try client.head(key: "parts")?.etag.hasSuffix("-41") == true)
        #expect(try client.get(key: "parts") == bytes)
    }

    @Test("moto enforces S3's 5 MiB floor: parts below it fail at completion with advice")
    func floorEnforced() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint)
        let id = try client.createMultipartUpload(key: "tiny")
        let first = try client.uploadPart(key: "tiny", uploadID: id, partNumber: 1, bytes: [1, 2, 3])
        let second = try client.uploadPart(key: "tiny", uploadID: id, partNumber: 2, bytes: [4])
        let error = try #require(lifeboatError {
            try client.completeMultipartUpload(key: "tiny", uploadID: id, parts: [(1, first), (2, second)])
        })
        #expect(error.code == .configuration)
        #expect(error.message.hasPrefix("S3 CompleteMultipartUpload s3://lifeboat-test/tiny (2 parts) failed with HTTP 400 EntityTooSmall"))
        #expect(error.message.hasSuffix("A multipart part was below the server's minimum part size: raise partSize to at least 5 MiB."))
        try client.abortMultipartUpload(key: "tiny", uploadID: id)
        try client.abortMultipartUpload(key: "tiny", uploadID: id)  // already gone: fine
        #expect(try client.listMultipartUploads(prefix: "") == [])
    }

    @Test("abort, or dropping an unfinished stream, leaves no upload and no object")
    func abort() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint)
        let stream = try S3UploadStream(client: client, key: "aborted/one")
        try write(patternBytes(11 * mebibyte), to: stream)  // two parts sent, one buffered
        #expect(try client.listMultipartUploads(prefix: "aborted/").map(\.key) == ["aborted/one"])
        stream.abort()
        #expect(stream.abortFailure == nil)
        #expect(try client.listMultipartUploads(prefix: "aborted/") == [])
        #expect(try client.head(key: "aborted/one") == nil)
        let late = try #require(lifeboatError { try stream.write(Array([1])) })
        #expect(late.message == "S3 upload of s3://lifeboat-test/aborted/one was aborted; start a new S3UploadStream to write again.")

        do {
            let dropped = try S3UploadStream(client: client, key: "aborted/two")
            try write(patternBytes(6 * mebibyte), to: dropped)
            #expect(try client.listMultipartUploads(prefix: "aborted/").map(\.key) == ["aborted/two"])
        }
        #expect(try client.listMultipartUploads(prefix: "aborted/") == [])
        #expect(try client.head(key: "aborted/two") == nil)
    }

    @Test("listMultipartUploads finds what a crash left behind, by prefix, so it can be aborted")
    func leftovers() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint)
        let a = try client.createMultipartUpload(key: "repo/a")
        let b = try client.createMultipartUpload(key: "repo/b c")
        _ = try client.createMultipartUpload(key: "other/x")
        let found = try client.listMultipartUploads(prefix: "repo/")
        #expect(Set(found.map(\.key)) == ["repo/a", "repo/b c"])
        #expect(Set(found.map(\.uploadID)) == [a, b])
        for upload in found { try client.abortMultipartUpload(key: upload.key, uploadID: upload.uploadID) }
        #expect(try client.listMultipartUploads(prefix: "repo/") == [])
        #expect(try client.listMultipartUploads(prefix: "").map(\.key) == ["other/x"])
    }
}
