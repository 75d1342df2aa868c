import Foundation
import LifeboatNative
import LifeboatTestSupport
@testable import LifeboatKit
import Testing

/// The AWS CLI and S3Client read each other's objects: proof the client writes plain S3, not a dialect.
@Suite("Interoperability with the AWS CLI")
struct InteropTests {
    /// Runs `aws --endpoint-url ... <arguments>` with fake keys and no user configuration.
    func aws(_ moto: MotoServer, _ arguments: String) throws -> String {
        guard MotoServer.which("aws") != nil else {
            throw MotoServer.StartError(description: "aws is not on PATH: run pip install awscli (the interoperability tests drive the AWS CLI).")
        }
        let result = try shell("aws --endpoint-url \(moto.endpoint) \(arguments)", environment: [
            "AWS_ACCESS_KEY_ID": "AKIAFAKEFORMOTO12345", "AWS_SECRET_ACCESS_KEY": "fake-secret-for-moto",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        ])
        guard result.status == 0 else {
            throw MotoServer.StartError(description: "aws \(arguments) failed with status \(result.status): \(result.output)")
        }
        return result.output
    }

    @Test("a multipart object S3Client uploads is listed and downloaded byte-identical by aws s3")
    func cliReadsOurs() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint)
        let bytes = patternBytes(12 * mebibyte + 7)
        let stream = try S3UploadStream(client: client, key: "interop/from swift.bin")
        try stream.write(bytes)
        _ = try stream.finish()
        #expect(try client.head(key: "interop/from swift.bin")?.etag.hasSuffix("-3") == true)

        let listing = try aws(moto, "s3 ls s3://lifeboat-test/interop/")
        #expect(listing.contains(" \(bytes.count) from swift.bin"), "\(listing)")
        let folder = try TempFolder()
        _ = try aws(moto, "s3 cp 's3://lifeboat-test/interop/from swift.bin' '\(folder.path)/copy.bin'")
        let downloaded = try #require(FileManager.default.contents(atPath: folder.path + "/copy.bin"))
        #expect(downloaded.count == bytes.count)
        #expect([UInt8](downloaded) == bytes)
    }

    @Test("an object aws s3 cp uploads (in parts, with its checksums) is read by S3Client")
    func weReadCLIs() throws {
        let moto = try MotoServer()
        let client = try makeClient(moto.endpoint)
        let folder = try TempFolder()
        let bytes = patternBytes(9 * mebibyte + 3, seed: 7)
        try Data(bytes).write(to: URL(fileURLWithPath: folder.path + "/source.bin"))
        _ = try aws(moto, "s3 cp '\(folder.path)/source.bin' s3://lifeboat-test/interop/from-cli.bin")
        _ = try aws(moto, "s3 cp '\(folder.path)/source.bin' 's3://lifeboat-test/interop/small + odd.bin' --expected-size 100")

        let head = try #require(try client.head(key: "interop/from-cli.bin"))
        #expect(head.size == Int64(bytes.count))
        #expect(head.etag.hasSuffix("-2"))  // the CLI's 8 MiB multipart threshold
        let stream = try S3ReadStream(client: client, key: "interop/from-cli.bin", chunkSize: 2 * mebibyte, readAhead: 2)
        #expect(try readAll(stream, pieceSize: 100_000) == bytes)
        #expect(try stream.drainAndDigest() == SHA256Hasher.digest(bytes))
        #expect(try client.get(key: "interop/small + odd.bin") == bytes)
        #expect(try client.list(prefix: "interop/").objects.map(\.key) == ["interop/from-cli.bin", "interop/small + odd.bin"])
    }
}
