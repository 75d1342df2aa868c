import Foundation
@testable import LifeboatKit

/// One moto server for the whole test process, with one bucket; each store gets its own prefix.
final class S3TestServer: Sendable {
    static let shared: S3TestServer = {
        do {
            return try S3TestServer()
        } catch {
            fatalError("cannot start the S3 test server: \(error)")
        }
    }()

    nonisolated(unsafe) let server: MotoServer
    let bucket = "lifeboat-conformance"
    static let credentials = S3Credentials(accessKeyID: "AKIAFAKEFORMOTO12345", secretAccessKey: "fake-secret-for-moto", source: "the test")

    private init() throws {
        server = try MotoServer()
        try client().createBucket()
    }

    var endpoint: String { server.endpoint }

    /// Small parts and chunks, so multipart uploads and read-ahead happen with test-sized objects.
    func settings() throws -> S3Settings {
        var settings = try S3Settings.resolve(endpoint: endpoint, region: "us-east-1", pathStyle: nil, environment: [:])
        settings.partSize = 5 << 20
        settings.readChunkSize = 1 << 20
        settings.backoffBase = 0.01
        settings.maxBackoff = 0.1
        return settings
    }

    func client() throws -> S3Client {
        try S3Client(bucket: bucket, settings: settings(), credentials: Self.credentials)
    }

    func store(prefix: String) throws -> S3Store {
        S3Store(location: try S3Location(bucket: bucket, prefix: prefix), client: try client())
    }

    /// The environment a `lifeboat` process needs to reach this server.
    var environment: [String: String] {
        ["AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": Self.credentials.accessKeyID,
         "AWS_SECRET_ACCESS_KEY": Self.credentials.secretAccessKey, "AWS_REGION": "us-east-1"]
    }
}
