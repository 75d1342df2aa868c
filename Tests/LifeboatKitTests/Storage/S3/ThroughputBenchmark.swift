import Foundation
import LifeboatNative
import LifeboatTestSupport
@testable import LifeboatKit
import Testing

/// 100 MiB up and down against moto on loopback, with the AWS CLI on the same server for scale (moto,
/// a single Python process, is the bottleneck). Opt-in: run with S3KIT_BENCHMARK=1.
@Suite("Throughput against moto", .enabled(if: ProcessInfo.processInfo.environment["S3KIT_BENCHMARK"] != nil))
struct ThroughputBenchmark {
    @Test("100 MiB: S3UploadStream (16 MiB parts, 4 in flight) and S3ReadStream (8 MiB chunks, 4 ahead)")
    func hundredMiB() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint) { settings in
            settings.partSize = 16 * mebibyte
            settings.readChunkSize = 8 * mebibyte
            settings.maxParallel = 4
        }
        let bytes = patternBytes(100 * mebibyte)
        let mib = Double(bytes.count) / Double(mebibyte)

        var started = Date()
        let upload = try S3UploadStream(client: client, key: "bench/100m")
        var offset = 0
        while offset < bytes.count {
            let n = min(1 * mebibyte, bytes.count - offset)
            try bytes[offset..<offset + n].withUnsafeBytes { try upload.write($0) }
            offset += n
        }
        let written = try upload.finish()
        let uploadSeconds = Date().timeIntervalSince(started)
        #expect(written.sha256 == SHA256Hasher.digest(bytes))

        started = Date()
        let read = try S3ReadStream(client: client, key: "bench/100m")
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: mebibyte, alignment: 16)
        defer { buffer.deallocate() }
        var total = 0
        while case let n = try read.read(into: buffer), n > 0 { total += n }
        let digest = try read.drainAndDigest()
        let readSeconds = Date().timeIntervalSince(started)
        #expect(total == bytes.count)
        #expect(digest == written.sha256)

        let folder = try TempFolder()
        try Data(bytes).write(to: URL(fileURLWithPath: folder.path + "/100m"))
        let environment = ["AWS_ACCESS_KEY_ID": "AKIAFAKE", "AWS_SECRET_ACCESS_KEY": "fake", "AWS_DEFAULT_REGION": "us-east-1",
                           "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"]
        started = Date()
        let cliUp = try shell("aws --endpoint-url \(moto.endpoint) s3 cp '\(folder.path)/100m' s3://lifeboat-test/bench/cli", environment: environment)
        let cliUpSeconds = Date().timeIntervalSince(started)
        started = Date()
        let cliDown = try shell("aws --endpoint-url \(moto.endpoint) s3 cp s3://lifeboat-test/bench/cli '\(folder.path)/back'", environment: environment)
        let cliDownSeconds = Date().timeIntervalSince(started)
        #expect(cliUp.status == 0 && cliDown.status == 0)

        func rate(_ seconds: Double) -> String { String(format: "%.2f s = %.1f MiB/s", seconds, mib / seconds) }
        print("""
            throughput, 100 MiB on loopback moto:
              S3UploadStream  \(rate(uploadSeconds))
              S3ReadStream    \(rate(readSeconds))
              aws s3 cp up    \(rate(cliUpSeconds))
              aws s3 cp down  \(rate(cliDownSeconds))
            """)
    }
}
