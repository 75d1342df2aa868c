import Foundation

/// How to talk to an S3 service: where, in which region, and how hard to push.
///
/// `resolve` applies the AWS CLI's environment variables; the tuning knobs have defaults that suit AWS.
public struct S3Settings: Sendable {
    public static let mebibyte = 1 << 20
    /// S3's floor for every part of a multipart upload but the last.
    public static let s3MinimumPartSize = 5 * mebibyte

    /// `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000`...: scheme, host and port only.
    public var endpoint: URL
    public var region: String
    /// `https://host/bucket/key` instead of `https://bucket.host/key`. MinIO, Ceph and moto want path
    /// style; AWS wants virtual-hosted style. Buckets with dots always use path style, because their
    /// names break the TLS wildcard certificate of virtual-hosted style.
    public var pathStyle: Bool
    /// Size of each multipart part, and the largest object sent in a single PUT.
    public var partSize = 16 * mebibyte
    /// The smallest `partSize` accepted. S3 rejects smaller parts when completing the upload; lower this
    /// only for a test server started with a smaller floor (moto's `S3_UPLOAD_PART_MIN_SIZE`).
    public var minimumPartSize = s3MinimumPartSize
    /// Parts uploaded, or ranges fetched ahead, at once by one stream.
    public var maxParallel = 4
    /// Tries per request, counting the first, for 5xx, 429/SlowDown, timeouts and dropped connections.
    public var maxAttempts = 5
    /// Seconds before the first retry; doubles each time, with jitter, up to `maxBackoff`.
    public var backoffBase = 0.2
    public var maxBackoff = 20.0
    /// Seconds a request may stall (no bytes moving either way) before it counts as timed out and is
    /// retried. Whole seconds, at least 1: URLSession on Linux truncates the fraction.
    public var requestTimeout = 60.0
    /// Bytes per ranged GET of `S3ReadStream`.
    public var readChunkSize = 8 * mebibyte

    public init(endpoint: URL, region: String, pathStyle: Bool) {
        self.endpoint = endpoint
        self.region = region
        self.pathStyle = pathStyle
    }

    /// Fills in what the caller left nil the way the AWS CLI does.
    ///
    /// - endpoint: `endpoint`, else `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`, else
    ///   `https://s3.<region>.amazonaws.com`.
    /// - region: `region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`.
    /// - pathStyle: `pathStyle`, else true for a custom endpoint and false for AWS.
    public static func resolve(
        endpoint: String?, region: String?, pathStyle: Bool?, environment: [String: String]
    ) throws -> S3Settings {
        func value(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        let region = region ?? value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1"
        guard !region.isEmpty, region.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw LifeboatError(.configuration, "\"\(region)\" is not an AWS region name: use one like us-east-1 or eu-west-1.")
        }
        let custom = endpoint ?? value("AWS_ENDPOINT_URL_S3") ?? value("AWS_ENDPOINT_URL")
        let text = custom ?? "https://s3.\(region).amazonaws.com"
        let url = try parseEndpoint(text)
        return S3Settings(endpoint: url, region: region, pathStyle: pathStyle ?? (custom != nil))
    }

    /// Checks the settings an S3Client is about to use; messages say which value to change.
    func validate() throws {
        _ = try Self.parseEndpoint(endpoint.absoluteString)
        guard partSize >= minimumPartSize else {
            throw LifeboatError(.configuration, "S3 part size \(partSize) bytes is below the minimum of \(minimumPartSize) bytes (S3 rejects smaller parts): raise partSize to at least 5 MiB.")
        }
        guard partSize <= 5 * 1024 * Self.mebibyte else {
            throw LifeboatError(.configuration, "S3 part size \(partSize) bytes is above S3's 5 GiB limit: lower partSize.")
        }
        guard maxParallel >= 1, maxAttempts >= 1, readChunkSize >= 1, backoffBase >= 0, requestTimeout >= 1 else {
            throw LifeboatError(.configuration, "S3 settings need maxParallel, maxAttempts and readChunkSize of at least 1, and a request timeout of at least 1 second.")
        }
    }

    private static func parseEndpoint(_ text: String) throws -> URL {
        let hint = "write it as scheme://host[:port], e.g. https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:9000"
        // An endpoint may carry credentials by mistake (https://KEY:SECRET@host): never quote that part.
        let shown = text.range(of: "@").map { "…@" + text[$0.upperBound...] } ?? text
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            throw LifeboatError(.configuration, "S3 endpoint \"\(shown)\" is not an http(s) URL: \(hint).")
        }
        guard components.path.isEmpty || components.path == "/", components.query == nil, components.user == nil else {
            throw LifeboatError(.configuration, "S3 endpoint \"\(shown)\" has a path, query or user name: \(hint); put the bucket and prefix in the s3:// URL instead, and credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.")
        }
        var clean = URLComponents()
        clean.scheme = scheme
        clean.host = host
        clean.port = components.port
        return clean.url!
    }
}
