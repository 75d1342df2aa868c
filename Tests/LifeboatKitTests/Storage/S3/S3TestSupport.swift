import Foundation
import LifeboatNative
import LifeboatTestSupport
@testable import LifeboatKit

/// Keys moto accepts: it checks no signatures unless started in auth mode.
let fakeCredentials = S3Credentials(accessKeyID: "AKIAFAKEFORMOTO12345", secretAccessKey: "fake-secret-for-moto", source: "the test")

let mebibyte = 1 << 20

/// Settings for a local test server: path style, 5 MiB parts, quick retries.
func testSettings(_ endpoint: String, _ configure: (inout S3Settings) -> Void = { _ in }) throws -> S3Settings {
    var settings = try S3Settings.resolve(endpoint: endpoint, region: "us-east-1", pathStyle: nil, environment: [:])
    settings.partSize = 5 * mebibyte
    settings.readChunkSize = 1 * mebibyte
    settings.backoffBase = 0.01
    settings.maxBackoff = 0.1
    settings.requestTimeout = 30
    configure(&settings)
    return settings
}

/// A client for a fresh bucket on `endpoint` (created unless `create` is false).
func makeClient(
    _ endpoint: String, bucket: String = "lifeboat-test", create: Bool = true,
    credentials: S3Credentials = fakeCredentials, _ configure: (inout S3Settings) -> Void = { _ in }
) throws -> S3Client {
    let client = try S3Client(bucket: bucket, settings: try testSettings(endpoint, configure), credentials: credentials)
    if create { try client.createBucket() }
    return client
}

/// Deterministic pseudo-random bytes (xorshift64*), fast enough for 100 MiB in a debug build.
func patternBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    var state = seed | 1
    out.withUnsafeMutableBytes { raw in
        let words = count / 8
        let pointer = raw.baseAddress!
        for index in 0..<words {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            pointer.storeBytes(of: state &* 0x2545_F491_4F6C_DD1D, toByteOffset: index * 8, as: UInt64.self)
        }
        for index in (words * 8)..<count { raw[index] = UInt8(truncatingIfNeeded: state >> (index % 8 * 8)) }
    }
    return out
}

/// Reads a whole ByteSource through `read(into:)` in pieces of `pieceSize`.
func readAll(_ source: some ByteSource, pieceSize: Int) throws -> [UInt8] {
    var out = [UInt8]()
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: pieceSize, alignment: 16)
    defer { buffer.deallocate() }
    while true {
        let n = try source.read(into: buffer)
        if n == 0 { return out }
        out.append(contentsOf: buffer[0..<n])
    }
}

/// The LifeboatError a throwing call threw (nil if it did not throw one).
func lifeboatError(_ body: () throws -> Void) -> LifeboatError? {
    do {
        try body()
        return nil
    } catch {
        return error as? LifeboatError
    }
}
