import Foundation
import LifeboatNative
import LifeboatTestSupport
@testable import LifeboatKit
import Testing

/// moto checks SigV4 signatures (recomputed with botocore) once IAM authentication is switched on:
/// every operation the client has must pass, and wrong keys must fail without a retry.
@Suite("Signatures verified by moto in IAM mode")
struct SignatureVerificationTests {
    /// moto with authentication on, and the keys of an IAM user allowed everything.
    func authenticatedMoto() throws -> (MotoServer, S3Credentials) {
        let moto = try MotoServer(environment: ["S3_UPLOAD_PART_MIN_SIZE": "65536"])
        let environment = [
            "AWS_ACCESS_KEY_ID": "AKIAFAKEFORMOTO12345", "AWS_SECRET_ACCESS_KEY": "fake", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        ]
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        let setup = try shell("""
            set -e
            aws --endpoint-url \(moto.endpoint) iam create-user --user-name lifeboat >/dev/null
            aws --endpoint-url \(moto.endpoint) iam put-user-policy --user-name lifeboat --policy-name all --policy-document '\(policy)'
            aws --endpoint-url \(moto.endpoint) iam create-access-key --user-name lifeboat --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text
            curl -sf -X POST -H 'Content-Type: application/octet-stream' --data-binary 0 \(moto.endpoint)/moto-api/reset-auth >/dev/null
            """, environment: environment)
        let fields = setup.output.split(whereSeparator: \.isWhitespace)
        guard setup.status == 0, fields.count == 2 else {
            throw MotoServer.StartError(description: "could not create an IAM user in moto: \(setup.output)")
        }
        return (moto, S3Credentials(accessKeyID: String(fields[0]), secretAccessKey: String(fields[1]), source: "moto IAM user lifeboat"))
    }

    /// moto's check re-canonicalizes the request itself and gets keys with `+ = & ; ,` or non-ASCII, and
    /// query values with `/`, wrong (the AWS CLI fails on them the same way), so those are proven
    /// against botocore instead (BotocoreOracleTests) and avoided here.
    @Test("every operation, with continuation tokens and upload IDs in queries, passes moto's signature check")
    func everyOperation() throws {
        let (moto, credentials) = try authenticatedMoto()
        let client = try makeClient(moto.endpoint, credentials: credentials) { settings in
            settings.minimumPartSize = 64 * 1024
            settings.partSize = 64 * 1024
            settings.readChunkSize = 100_000
        }
        #expect(try client.bucketExists())
        let keys = ["sig/plain", "sig/a b", "sig/under_score-dash.dot~tilde", "sig/deep/x"]
        for key in keys { try client.put(key: key, bytes: Array(key.utf8), metadata: ["k": "v"]) }
        for key in keys {
            #expect(try client.get(key: key) == Array(key.utf8))
            #expect(try client.head(key: key)?.metadata == ["k": "v"])
        }
        #expect(try client.get(key: "sig/a b", range: 4..<7) == Array("a b".utf8))
        #expect(try client.list(prefix: "sig", delimiter: "_", pageSize: 2).commonPrefixes == ["sig/under_"])
        #expect(try client.list(prefix: "sig", pageSize: 1).objects.count == 4)

        let bytes = patternBytes(5 * 64 * 1024 + 1)
        let upload = try S3UploadStream(client: client, key: "sig/multi part")
        try upload.write(bytes)
        _ = try upload.finish()
        let read = try S3ReadStream(client: client, key: "sig/multi part")
        #expect(try read.drainAndDigest() == SHA256Hasher.digest(bytes))

        let id = try client.createMultipartUpload(key: "sig/left over")
        #expect(try client.listMultipartUploads(prefix: "sig").map(\.uploadID) == [id])
        try client.abortMultipartUpload(key: "sig/left over", uploadID: id)
        try client.deleteMany(keys: keys + ["sig/multi part"])
        try client.delete(key: "sig/never-was")
        #expect(try client.list(prefix: "sig").objects.isEmpty)
    }

    @Test("a wrong secret or an unknown key ID is a 403 with advice, not retried, and never shows the secret")
    func wrongKeys() throws {
        let (moto, credentials) = try authenticatedMoto()
        try makeClient(moto.endpoint, credentials: credentials).put(key: "k", bytes: [1])

        let badSecret = S3Credentials(accessKeyID: credentials.accessKeyID, secretAccessKey: "not-the-secret-123", source: "the test's wrong secret")
        let client = try makeClient(moto.endpoint, create: false, credentials: badSecret)
        let mismatch = try #require(lifeboatError { _ = try client.get(key: "k") })
        #expect(mismatch.code == .configuration)
        #expect(mismatch.message.hasPrefix("S3 GET s3://lifeboat-test/k failed with HTTP 403 SignatureDoesNotMatch: "))
        #expect(mismatch.message.hasSuffix("The secret access key (from the test's wrong secret) does not match its access key ID: check the secret for typos or stray whitespace."))
        #expect(!mismatch.message.contains("attempts"))
        #expect(!mismatch.detailedDescription.contains("not-the-secret-123"))

        let unknown = S3Credentials(accessKeyID: "AKIAUNKNOWNKEY000000", secretAccessKey: "whatever-secret", source: "the test's unknown key")
        let stranger = try makeClient(moto.endpoint, create: false, credentials: unknown)
        let denied = try #require(lifeboatError { try stranger.put(key: "k2", bytes: [1]) })
        #expect(denied.code == .configuration)
        #expect(denied.message.hasPrefix("S3 PUT s3://lifeboat-test/k2 failed with HTTP 403 InvalidAccessKeyId: "))
        #expect(!denied.detailedDescription.contains("whatever-secret"))
    }
}
