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
    /// Absent for unencrypted repositories (the only kind this version writes).
    public var encryption: String?

    public static let fileName = "lifeboat-repository.json"
    public static let supportedVersion = 1
}
