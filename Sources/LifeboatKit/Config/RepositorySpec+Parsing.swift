import Foundation

extension RepositorySpec {
    static let keys = ["url", "s3", "passphrase_file"]
    static let example = "offsite: { url: s3://backups/lifeboat, s3: { region: eu-central-1 } }"

    /// Reads `repositories:`: named copy targets, in file order.
    static func parseAll(_ node: ConfigNode?, directory: String, main: String) throws -> [RepositorySpec] {
        guard let node, !node.isNull else { return [] }
        let mapping = try node.mapping("a mapping of repository names to their settings", example: "repositories: { \(example) }")
        return try mapping.entries.map { entry in
            guard Service.isValidName(entry.key), entry.key != "default" else {
                throw entry.value.error("invalid repository name: use letters, digits, \".\", \"_\" and \"-\" (not \"default\", "
                    + "which means the main repository; e.g. offsite)", line: entry.value.keyLine)
            }
            let fields = try entry.value.mapping("a mapping of repository settings", example: example, validKeys: keys)
            let urlNode = try fields.required("url", example: "url: s3://backups/lifeboat or url: /mnt/offsite/lifeboat")
            let spec = RepositorySpec(
                name: entry.key,
                location: try LifeboatConfig.repositoryLocation(urlNode, directory: directory),
                s3: try S3Options.parse(fields.present("s3")),
                passphraseFile: try fields.present("passphrase_file").map { try LifeboatConfig.path($0, example: "passphrase_file: /etc/lifeboat/offsite.pass", directory: directory) })
            if spec.location == main {
                throw urlNode.error("this is the main repository (`repository:`); a copy needs another place")
            }
            return spec
        }
    }
}

extension S3Options {
    static let keys = ["endpoint", "region", "path_style", "profile"]
    static let example = "s3: { endpoint: http://127.0.0.1:9000, region: us-east-1, path_style: true }"

    static func parse(_ node: ConfigNode?) throws -> S3Options {
        guard let node, !node.isNull else { return S3Options() }
        let mapping = try node.mapping("a mapping of S3 settings", example: example, validKeys: keys)
        var options = S3Options()
        if let endpoint = mapping.present("endpoint") {
            let text = try endpoint.string("an http:// or https:// URL", example: "endpoint: https://s3.eu-central-1.amazonaws.com")
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw endpoint.error("expected an http:// or https:// URL with a host (e.g. endpoint: https://s3.eu-central-1.amazonaws.com)")
            }
            options.endpoint = text
        }
        options.region = try mapping.present("region")?.string("a region name", example: "region: eu-central-1")
        options.pathStyle = try mapping.present("path_style")?.bool(example: "path_style: true")
        options.profile = try mapping.present("profile")?.string("a profile name of the shared credentials file", example: "profile: backup")
        return options
    }
}
