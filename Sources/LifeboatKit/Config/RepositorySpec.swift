/// Where a repository is and how to reach it: the main `repository:` (with `s3:`), or one entry of
/// `repositories:` (copy targets).
public struct RepositorySpec: Sendable, Hashable {
    /// The name under `repositories:`; "default" for the main repository.
    public var name: String
    /// An absolute local folder, or `s3://bucket/prefix`.
    public var location: String
    /// How to reach an S3 repository; anything unset comes from the usual AWS environment variables.
    public var s3: S3Options
    /// A file holding the passphrase of an encrypted repository (else `LIFEBOAT_PASSPHRASE`).
    public var passphraseFile: String?

    public init(name: String, location: String, s3: S3Options = .init(), passphraseFile: String? = nil) {
        self.name = name
        self.location = location
        self.s3 = s3
        self.passphraseFile = passphraseFile
    }

    public var isS3: Bool { location.hasPrefix("s3://") }
}

/// The `s3:` settings of a repository. Credentials are never written here: they come from
/// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN` or the shared credentials file.
public struct S3Options: Sendable, Hashable {
    /// e.g. `https://s3.eu-central-1.amazonaws.com` or `http://minio.internal:9000`.
    public var endpoint: String?
    public var region: String?
    /// Bucket in the path (`endpoint/bucket/key`) rather than the host name; the default for custom endpoints.
    public var pathStyle: Bool?
    /// The profile of the shared credentials file.
    public var profile: String?

    public init(endpoint: String? = nil, region: String? = nil, pathStyle: Bool? = nil, profile: String? = nil) {
        self.endpoint = endpoint
        self.region = region
        self.pathStyle = pathStyle
        self.profile = profile
    }
}
