import Foundation
import Glibc
import LifeboatKit

/// One moto server for the whole test process, with one bucket; each store gets its own prefix.
public final class S3TestServer: Sendable {
    private static let instance = Result<S3TestServer, any Error> { try S3TestServer() }

    /// The server of this test process, started on first use; a server that cannot start fails each
    /// test that needs it, saying what to install.
    public static func shared() throws -> S3TestServer { try instance.get() }

    nonisolated(unsafe) let server: MotoServer
    public let bucket = "lifeboat-tests"
    public static let credentials = S3Credentials(accessKeyID: "AKIAFAKEFORMOTO12345", secretAccessKey: "fake-secret-for-moto", source: "the test")

    private init() throws {
        server = try MotoServer()
        // The shared server lives as long as the test process; stop it when the process exits, or it
        // would outlive the run.
        Self.sharedPID = server.pid
        atexit { if S3TestServer.sharedPID > 0 { kill(S3TestServer.sharedPID, SIGKILL) } }
        try client().createBucket()
    }

    nonisolated(unsafe) private static var sharedPID: pid_t = 0

    public var endpoint: String { server.endpoint }

    /// Small parts and chunks, so multipart uploads and read-ahead happen with test-sized objects.
    public func settings() throws -> S3Settings {
        var settings = try S3Settings.resolve(endpoint: endpoint, region: "us-east-1", pathStyle: nil, environment: [:])
        settings.partSize = 5 << 20
        settings.readChunkSize = 1 << 20
        settings.backoffBase = 0.01
        settings.maxBackoff = 0.1
        return settings
    }

    public func client() throws -> S3Client {
        try S3Client(bucket: bucket, settings: settings(), credentials: Self.credentials)
    }

    public func store(prefix: String) throws -> S3Store {
        S3Store(location: try S3Location(bucket: bucket, prefix: prefix), client: try client())
    }

    /// The environment a `lifeboat` process needs to reach this server.
    public var environment: [String: String] {
        ["AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": Self.credentials.accessKeyID,
         "AWS_SECRET_ACCESS_KEY": Self.credentials.secretAccessKey, "AWS_REGION": "us-east-1"]
    }
}
