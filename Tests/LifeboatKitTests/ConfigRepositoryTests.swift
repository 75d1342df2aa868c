import Foundation
import Testing
@testable import LifeboatKit

/// `repository:` as a folder or an S3 URL, `s3:`, `passphrase_file:` and the named `repositories:`.
@Suite("Repository settings are read into exact values")
struct ConfigRepositoryTests {
    @Test("an S3 repository with its settings, and named copy targets in file order")
    func s3AndCopies() throws {
        let config = try LifeboatConfig.parse(yaml: """
        repository: s3://backups/prod/lifeboat/
        s3: { endpoint: "http://127.0.0.1:9000", region: eu-west-1, path_style: true, profile: backup }
        passphrase_file: secrets/pass
        repositories:
          offsite:
            url: s3://dr-copies/prod
            s3: { region: us-east-2 }
          usb: { url: /mnt/usb/lifeboat, passphrase_file: /etc/lifeboat/usb.pass }
        """, path: "/etc/lifeboat/lifeboat.yaml")
        #expect(config.repository == "s3://backups/prod/lifeboat")
        #expect(config.s3 == S3Options(endpoint: "http://127.0.0.1:9000", region: "eu-west-1", pathStyle: true, profile: "backup"))
        #expect(config.passphraseFile == "/etc/lifeboat/secrets/pass")
        #expect(config.repositories == [
            RepositorySpec(name: "offsite", location: "s3://dr-copies/prod", s3: S3Options(region: "us-east-2")),
            RepositorySpec(name: "usb", location: "/mnt/usb/lifeboat", passphraseFile: "/etc/lifeboat/usb.pass"),
        ])
        #expect(try config.repository(named: "usb").location == "/mnt/usb/lifeboat")
        #expect(try config.repository(named: "default") == config.mainRepository)
        let unknown = #expect(throws: LifeboatError.self) { try config.repository(named: "ofsite") }
        #expect(unknown?.message.contains(#"did you mean "offsite"?"#) == true)
    }

    @Test("an S3 store takes endpoint, region and credentials from the environment when the config leaves them out")
    func environment() throws {
        let spec = RepositorySpec(name: "default", location: "s3://backups/prod")
        let checked = try #require(try spec.makeStore(environment: [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_REGION": "eu-central-1",
            "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "very-secret",
        ]) as? CheckedStore)
        let store = try #require(checked.inner as? S3Store)
        #expect(store.location == "s3://backups/prod")
        #expect(store.client.settings.endpoint.absoluteString == "http://127.0.0.1:9" && store.client.settings.region == "eu-central-1")
        #expect(store.client.settings.pathStyle)
        #expect(!"\(store.client)".contains("very-secret"))
        let missing = #expect(throws: LifeboatError.self) {
            try spec.makeStore(environment: ["HOME": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"])
        }
        #expect(missing?.message.contains("AWS_ACCESS_KEY_ID") == true, "\(String(describing: missing))")
    }
}
