import Foundation
import LifeboatNative
import LifeboatTestSupport
@testable import LifeboatKit
import Synchronization
import Testing

/// Retries, shown against moto behind a proxy that really fails requests.
@Suite("S3 retries through a fault-injecting proxy")
struct RetryTests {
    /// moto with a 64 KiB part floor (quick multipart) behind `decide`.
    func setUp(_ decide: @escaping @Sendable (Int, String) -> FaultProxy.Fault?) throws -> (MotoServer, FaultProxy) {
        let moto = try MotoServer(environment: ["S3_UPLOAD_PART_MIN_SIZE": "65536"])
        // The bucket is made directly, so request counts below are the test's own.
        _ = try makeClient(moto.endpoint)
        return (moto, try FaultProxy(upstreamPort: moto.port, decide: decide))
    }

    func smallParts(_ settings: inout S3Settings) {
        settings.minimumPartSize = 64 * 1024
        settings.partSize = 64 * 1024
        settings.readChunkSize = 100_000
    }

    @Test("every 3rd request fails with 500, 429 or 503 SlowDown: put, get, list, multipart upload and read stream all succeed")
    func every3rdFails() throws {
        let faults: [FaultProxy.Fault] = [.status(500, code: "InternalError"), .status(429, code: "TooManyRequests"), .status(503, code: "SlowDown")]
        // A request line fails at most once: with parts uploaded in parallel, a retry could otherwise land
        // on a multiple of 3 again (and again), which says nothing about retrying and made this flaky.
        let failedOnce = Mutex<Set<String>>([])
        let (moto, proxy) = try setUp { number, line in
            guard number % 3 == 0, failedOnce.withLock({ $0.insert(line).inserted }) else { return nil }
            return faults[number / 3 % 3]
        }
        let client = try makeClient(proxy.endpoint, create: false, smallParts)
        var logical = 0
        for index in 0..<6 {
            try client.put(key: "small/\(index)", bytes: [UInt8(index)])
            #expect(try client.get(key: "small/\(index)") == [UInt8(index)])
            logical += 2
        }
        #expect(try client.list(prefix: "small/", pageSize: 2).objects.count == 6)
        logical += 3

        let bytes = patternBytes(20 * 64 * 1024 + 999)
        let upload = try S3UploadStream(client: client, key: "big")
        try upload.write(bytes)
        #expect(try upload.finish().sha256 == SHA256Hasher.digest(bytes))
        logical += 1 + 21 + 1 + 1  // create, parts, complete, head

        let read = try S3ReadStream(client: client, key: "big", readAhead: 3)
        #expect(try readAll(read, pieceSize: 50_000) == bytes)
        #expect(try read.drainAndDigest() == SHA256Hasher.digest(bytes))
        logical += 1 + 14  // head, ranges of 100,000 bytes

        // Every 3rd request of ~54, less the repeats of a line already failed (range GETs share one).
        #expect(proxy.faults >= 8, "only \(proxy.faults) faults were injected")
        #expect(proxy.requests.count == logical + proxy.faults)  // each fault cost exactly one retry
        // Every request, retries included, signed the SHA-256 of the body it really sent.
        #expect(proxy.payloads.count == proxy.requests.count)
        for payload in proxy.payloads {
            #expect(payload.declared == payload.actual, "\(payload.requestLine)")
        }
        _ = moto
    }

    @Test("dropped connections and a stalled answer (timeout) are retried")
    func connectionFailures() throws {
        let (moto, proxy) = try setUp { number, _ in
            switch number {
            case 1, 4, 5, 9: .drop
            case 7: .stall(3)
            default: nil
            }
        }
        let client = try makeClient(proxy.endpoint, create: false) { $0.requestTimeout = 1 }
        try client.put(key: "a", bytes: [1])  // 1 dropped, 2 ok
        #expect(try client.get(key: "a") == [1])  // 3 ok
        try client.put(key: "b", bytes: [2])  // 4, 5 dropped, 6 ok
        let started = Date()
        #expect(try client.get(key: "b") == [2])  // 7 stalls past the 1 s timeout, 8 ok
        #expect(Date().timeIntervalSince(started) >= 1)
        #expect(proxy.requests.count == 8)

        let once = try makeClient(proxy.endpoint, create: false) { $0.maxAttempts = 1 }
        let error = try #require(lifeboatError { try once.put(key: "c", bytes: [3]) })  // 9 dropped
        #expect(error.code == .io)
        #expect(error.message.hasPrefix("S3 PUT s3://lifeboat-test/c could not reach \(proxy.endpoint): "))
        #expect(error.message.hasSuffix("Check the endpoint URL, that the server is running and reachable, and any proxy or firewall in between; then retry."))
        _ = moto
    }

    @Test("403 and 404 are answers, not hiccups: one request each, no retry")
    func noRetryFor4xx() throws {
        let (moto, proxy) = try setUp { _, line in line.contains("/denied") ? .status(403, code: "AccessDenied") : nil }
        let client = try makeClient(proxy.endpoint, create: false)
        let denied = try #require(lifeboatError { try client.put(key: "denied", bytes: [1]) })
        #expect(denied.code == .configuration)
        #expect(denied.message == "S3 PUT s3://lifeboat-test/denied failed with HTTP 403 AccessDenied: injected by FaultProxy. Check that the credentials (from the test) are valid and allowed this operation on bucket \"lifeboat-test\", in both the IAM policy and the bucket policy.")
        #expect(proxy.requests.count == 1)

        let absent = try makeClient(proxy.endpoint, bucket: "absent-bucket", create: false)
        let missing = try #require(lifeboatError { _ = try absent.get(key: "k") })
        #expect(missing.code == .repository)
        #expect(proxy.requests.count == 2)
        _ = moto
    }

    @Test("a server that keeps failing is given up on after maxAttempts, and the message says so")
    func givesUp() throws {
        let (moto, proxy) = try setUp { _, _ in .status(503, code: "SlowDown") }
        let client = try makeClient(proxy.endpoint, create: false) { $0.maxAttempts = 3 }
        let error = try #require(lifeboatError { try client.put(key: "k", bytes: [1]) })
        #expect(error.code == .io)
        #expect(error.message == "S3 PUT s3://lifeboat-test/k failed with HTTP 503 SlowDown: injected by FaultProxy (after 3 attempts). The service kept failing or throttling: try again later, or lower maxParallel.")
        #expect(proxy.requests.count == 3)
        _ = moto
    }

    @Test("a part that fails for good aborts the whole upload; write or finish throws its error")
    func failedPart() throws {
        let (moto, proxy) = try setUp { _, line in line.contains("partNumber=3&") ? .status(403, code: "AccessDenied") : nil }
        let client = try makeClient(proxy.endpoint, create: false, smallParts)
        let stream = try S3UploadStream(client: client, key: "doomed")
        let error = try #require(lifeboatError {
            try stream.write(patternBytes(10 * 64 * 1024))
            _ = try stream.finish()
        })
        #expect(error.message.hasPrefix("S3 UploadPart 3 of s3://lifeboat-test/doomed failed with HTTP 403 AccessDenied"))
        #expect(try client.listMultipartUploads(prefix: "") == [])
        #expect(try client.head(key: "doomed") == nil)
        #expect(proxy.requests.contains { $0.hasPrefix("DELETE /lifeboat-test/doomed?uploadId=") })
        _ = moto
    }

    @Test("CompleteMultipartUpload: an error inside a 200 is retried; a lost answer is confirmed by HEAD")
    func completeQuirks() throws {
        for fault in [FaultProxy.Fault.status(200, code: "InternalError"), .loseAnswer] {
            let completes = Counter()
            let (moto, proxy) = try setUp { _, line in
                guard line.hasPrefix("POST /lifeboat-test/obj?uploadId=") else { return nil }
                return completes.next() == 1 ? fault : nil
            }
            let client = try makeClient(proxy.endpoint, create: false, smallParts)
            let bytes = patternBytes(3 * 64 * 1024)
            let stream = try S3UploadStream(client: client, key: "obj")
            try stream.write(bytes)
            #expect(try stream.finish().sha256 == SHA256Hasher.digest(bytes))
            #expect(try client.get(key: "obj") == bytes)
            #expect(completes.value == 2)
            _ = (moto, proxy)
        }
    }
}

/// A thread-safe counter for proxy decisions.
final class Counter: Sendable {
    private let count = Mutex(0)
    func next() -> Int { count.withLock { $0 += 1; return $0 } }
    var value: Int { count.withLock { $0 } }
}
