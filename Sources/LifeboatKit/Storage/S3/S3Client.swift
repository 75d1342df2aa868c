import Foundation

/// A synchronous client for one S3 bucket: each method is one S3 operation (or a paginated series of
/// them), blocking the calling thread until it has an answer.
///
/// Safe to share between threads: it holds only immutable settings and a URLSession. Every request
/// signs the SHA-256 of its real payload, is retried on transient failures (`S3RetryPolicy`), and
/// fails with a `LifeboatError` that names the operation, the key, S3's error code and what to do.
/// Keys are full object keys; `S3Location.key(_:)` adds a repository's prefix.
public final class S3Client: Sendable {
    public let bucket: String
    public let settings: S3Settings
    let signer: SigV4Signer
    let transport: S3Transport
    let retry: S3RetryPolicy
    /// Where credentials came from, for error messages (never the keys themselves).
    var credentialSource: String { signer.credentials.source }

    public init(bucket: String, settings: S3Settings, credentials: S3Credentials) throws {
        try S3Location.validate(bucket: bucket, in: "s3://\(bucket)")
        try settings.validate()
        self.bucket = bucket
        self.settings = settings
        signer = SigV4Signer(credentials: credentials, region: settings.region)
        transport = S3Transport(timeout: settings.requestTimeout, maxConnections: max(8, settings.maxParallel * 2))
        retry = S3RetryPolicy(maxAttempts: settings.maxAttempts, base: settings.backoffBase, cap: settings.maxBackoff)
    }

    /// A client for the bucket of `location` (its prefix is for the caller to apply with `key(_:)`).
    public convenience init(location: S3Location, settings: S3Settings, credentials: S3Credentials) throws {
        try self.init(bucket: location.bucket, settings: settings, credentials: credentials)
    }

    /// `s3://bucket/key`, for messages.
    public func url(of key: String) -> String { "s3://\(bucket)/\(key)" }

    /// Path style when asked for, and always for dotted bucket names (see `S3Settings.pathStyle`).
    var usesPathStyle: Bool { settings.pathStyle || bucket.contains(".") }

    /// The host header (with a non-default port) and the decoded path of a request for `key`
    /// (nil: the bucket itself).
    func address(of key: String?) -> (host: String, path: String) {
        var host = settings.endpoint.host ?? ""
        if host.contains(":") { host = "[\(host)]" }
        if !usesPathStyle { host = "\(bucket).\(host)" }
        if let port = settings.endpoint.port {
            let scheme = settings.endpoint.scheme ?? "https"
            if !(scheme == "http" && port == 80) && !(scheme == "https" && port == 443) { host += ":\(port)" }
        }
        let path: String
        switch (usesPathStyle, key) {
        case (true, let key?): path = "/\(bucket)/\(key)"
        case (true, nil): path = "/\(bucket)"
        case (false, let key?): path = "/\(key)"
        case (false, nil): path = "/"
        }
        return (host, path)
    }

    /// The URL to send: path and query encoded exactly as `SigV4Signer` encodes them for signing.
    func requestURL(host: String, path: String, query: [(name: String, value: String)]) -> URL {
        var text = "\(settings.endpoint.scheme ?? "https")://\(host)\(S3URIEncoding.encodePath(path))"
        if !query.isEmpty {
            text += "?" + query.map { S3URIEncoding.encodeQueryComponent($0.name) + "=" + S3URIEncoding.encodeQueryComponent($0.value) }
                .joined(separator: "&")
        }
        // Every character left unencoded is a legal URL character, so this cannot fail.
        return URL(string: text)!
    }

    /// Rejects keys S3 or the HTTP stack would change in transit: empty, over 1024 bytes, or with `.`
    /// and `..` segments (curl resolves them, so a different key would be written than was signed).
    func validate(key: String) throws {
        guard !key.isEmpty, key.utf8.count <= 1024 else {
            throw LifeboatError(.usage, "S3 key \"\(key.prefix(80))\" is empty or longer than 1024 bytes: S3 accepts keys of 1 to 1024 bytes.")
        }
        if key.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == "." || $0 == ".." }) {
            throw LifeboatError(.usage, "S3 key \"\(key)\" has a \".\" or \"..\" segment, which HTTP clients rewrite: use plain names between slashes.")
        }
    }
}
