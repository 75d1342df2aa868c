import Foundation

extension RepositorySpec {
    /// The store this repository lives in. For S3, settings and credentials left out of the config
    /// come from the environment (`AWS_*`, the shared credentials file), as the AWS CLI reads them.
    /// Every store is wrapped in `CheckedStore` (an upload must keep every byte it was given); debug
    /// builds put `FaultyStore` beneath when `LIFEBOAT_STORE_FAULTS` asks for injected failures.
    public func makeStore(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any ObjectStore {
        let raw = try rawStore(environment: environment)
        if let faults = try StoreFaults.fromEnvironment(environment) { return CheckedStore(inner: FaultyStore(inner: raw, faults: faults)) }
        return CheckedStore(inner: raw)
    }

    private func rawStore(environment: [String: String]) throws -> any ObjectStore {
        guard isS3 else { return LocalStore(root: location) }
        let bucket = try S3Location(parsing: location)
        let settings = try S3Settings.resolve(endpoint: s3.endpoint, region: s3.region, pathStyle: s3.pathStyle, environment: environment)
        let credentials = try S3Credentials.resolve(environment: environment, profile: s3.profile)
        return S3Store(location: bucket, client: try S3Client(location: bucket, settings: settings, credentials: credentials))
    }
}

extension LifeboatConfig {
    /// The main repository as a spec (`repository:`, `s3:`, `passphrase_file:`).
    public var mainRepository: RepositorySpec {
        RepositorySpec(name: "default", location: repository, s3: s3, passphraseFile: passphraseFile)
    }

    /// The store of the main repository.
    public func makeStore() throws -> any ObjectStore { try mainRepository.makeStore() }

    /// A repository of `repositories:` by name.
    public func repository(named name: String) throws -> RepositorySpec {
        if name == "default" { return mainRepository }
        guard let spec = repositories.first(where: { $0.name == name }) else {
            throw Self.unknown("repository", name, known: ["default"] + repositories.map(\.name), file: filePath)
        }
        return spec
    }
}
