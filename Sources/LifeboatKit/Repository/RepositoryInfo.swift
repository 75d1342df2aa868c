/// `lifeboat-repository.json`: what kind of repository this is and how its objects are written.
public struct RepositoryInfo: Codable, Sendable, Equatable {
    public struct Compression: Codable, Sendable, Equatable {
        public var algorithm = "zstd"
        public var level: Int
    }

    public var format = "lifeboat-repository"
    public var version = 1
    /// Random UUID: tells repositories apart in catalogs and reports.
    public var id: String
    public var created: String
    public var compression: Compression
    /// Absent for unencrypted repositories.
    public var encryption: Encryption?

    /// How an encrypted repository's objects are written (`docs/encryption-format.md`). The data key
    /// itself is in `keys/`, wrapped once per passphrase.
    public struct Encryption: Codable, Sendable, Equatable {
        public var cipher = "aes-256-gcm"
        public var objectFormat = "LBENC001"
        public var frameSize: Int
        public var kdf = "scrypt"

        enum CodingKeys: String, CodingKey {
            case cipher, objectFormat = "object_format", frameSize = "frame_size", kdf
        }
    }

    public static let fileName = "lifeboat-repository.json"
    public static let supportedVersion = 1
}
