/// The contents of `lifeboat.yaml`, validated: every path absolute, every tier a service names exists.
///
/// Get one with `LifeboatConfig.load(explicitPath:environment:currentDirectory:)` (the CLI's lookup
/// order) or `LifeboatConfig.parse(yaml:path:)`.
public struct LifeboatConfig: Sendable, Hashable {
    /// The absolute path of the file this configuration was read from; relative paths in it were
    /// resolved against its folder.
    public var filePath: String
    /// The repository: an absolute local folder, or `s3://bucket/prefix` (reached with `s3`).
    public var repository: String
    /// How to reach an S3 `repository`.
    public var s3 = S3Options()
    /// A file holding the passphrase of an encrypted main repository (else `LIFEBOAT_PASSPHRASE`).
    public var passphraseFile: String?
    /// Other repositories by name: where `lifeboat copy --to NAME` and a tier's `copy_to` copy backups.
    public var repositories: [RepositorySpec] = []
    /// The catalog database file: an absolute path.
    public var catalog: String
    /// The zstd level for new backups, 1...19.
    public var compressionLevel: Int
    /// The built-in tiers (with the file's changes) in their order, then the file's own tiers in
    /// file order.
    public var tiers: [Tier]
    /// The services, in file order.
    public var services: [Service]
    /// Whether the repository's and catalog's group may read them (`group_access: read`); by default
    /// only their owner can (files 0600, folders 0700).
    public var groupReadable: Bool = false
    /// What the file sets that is valid but probably a mistake, as `file:line: key.path: message`
    /// (e.g. a schedule that skips the months without its day); `lifeboat config check` shows them.
    public var warnings: [String] = []

    public init(
        filePath: String, repository: String, catalog: String, compressionLevel: Int = defaultCompressionLevel,
        tiers: [Tier] = Tier.defaults, services: [Service]
    ) {
        self.filePath = filePath
        self.repository = repository
        self.catalog = catalog
        self.compressionLevel = compressionLevel
        self.tiers = tiers
        self.services = services
    }

    /// The name the CLI looks for in the current folder.
    public static let fileName = "lifeboat.yaml"
    /// The environment variable that names a configuration file.
    public static let environmentVariable = "LIFEBOAT_CONFIG"
    public static let defaultRepository = "./lifeboat-repo"
    public static let defaultCatalog = "./lifeboat.sqlite"
    public static let defaultCompressionLevel = 3
    public static let compressionLevels = 1...19

    /// The folder of `filePath`.
    public var directory: String { ConfigPath.directory(of: filePath) }

    /// Throws unless the file defines at least one service: `doing` names what a command would do
    /// with them ("back up", "verify"), for the message.
    ///
    /// - Throws: `LifeboatError` (`.configuration`) saying to add a service under `services:`.
    public func requireServices(toDo doing: String) throws {
        guard services.isEmpty else { return }
        throw LifeboatError(
            .configuration, "\(filePath) defines no services, so there is nothing to \(doing); "
                + "add one under `services:` (e.g. `services: { \(Service.example) }`), then check it with `lifeboat config check`")
    }

    /// A warning for a file that defines no services; nil when it defines some.
    public var noServicesWarning: String? {
        services.isEmpty
            ? "\(filePath) defines no services: nothing will be backed up; add one under `services:` (e.g. `services: { \(Service.example) }`)"
            : nil
    }

    /// The service called `name`.
    ///
    /// - Throws: `LifeboatError` (`.usage`) listing the configured services when there is none.
    public func service(named name: String) throws -> Service {
        guard let service = services.first(where: { $0.name == name }) else {
            throw Self.unknown("service", name, known: services.map(\.name), file: filePath)
        }
        return service
    }

    /// The tier called `name`.
    ///
    /// - Throws: `LifeboatError` (`.usage`) listing the known tiers when there is none.
    public func tier(named name: String) throws -> Tier {
        guard let tier = tiers.first(where: { $0.name == name }) else {
            throw Self.unknown("tier", name, known: tiers.map(\.name), file: filePath)
        }
        return tier
    }

    /// The tier `service` runs under: its tier with the fields the service sets itself
    /// (`Service.overrides`) applied. The name stays the tier's.
    ///
    /// - Throws: `LifeboatError` (`.usage`) listing the known tiers when the service names none of
    ///   them (possible only for a `Service` built by hand; parsing checks every tier).
    public func tier(for service: Service) throws -> Tier {
        service.overrides.applied(to: try tier(named: service.tier))
    }

    static func unknown(_ what: String, _ name: String, known: [String], file: String) -> LifeboatError {
        let hint = ConfigDiagnostics.suggestion(for: name, among: known).map { "did you mean \"\($0)\"? " } ?? ""
        let list = known.isEmpty ? "\(file) defines no \(what)s" : "known \(what)s: \(known.joined(separator: ", "))"
        return LifeboatError(.usage, "unknown \(what) \"\(name)\"; \(hint)(\(list))")
    }
}
