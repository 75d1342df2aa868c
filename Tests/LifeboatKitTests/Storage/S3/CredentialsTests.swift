import Foundation
import LifeboatTestSupport
@testable import LifeboatKit
import Testing

@Suite("S3 credentials")
struct CredentialsTests {
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET"
    let token = "FwoGZXIvYXdzEXAMPLETOKEN"

    @Test("environment variables come first, with an optional session token")
    func environment() throws {
        let credentials = try S3Credentials.resolve(environment: [
            "AWS_ACCESS_KEY_ID": "AKIAENVEXAMPLE", "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token,
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        ])
        #expect(credentials.accessKeyID == "AKIAENVEXAMPLE")
        #expect(credentials.secretAccessKey == secret)
        #expect(credentials.sessionToken == token)
        #expect(credentials.source == "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")
    }

    @Test("the shared credentials file: default profile, AWS_PROFILE, and an explicit profile")
    func sharedFile() throws {
        let folder = try TempFolder()
        let file = try folder.write("credentials", """
            # comment
            [default]
            aws_access_key_id = AKIADEFAULT
            aws_secret_access_key = default-secret

            [offsite]
            ; another comment
            AWS_ACCESS_KEY_ID=AKIAOFFSITE
            aws_secret_access_key=offsite-secret
            aws_session_token = offsite-token
            """)
        let byDefault = try S3Credentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": file])
        #expect(byDefault.accessKeyID == "AKIADEFAULT")
        #expect(byDefault.secretAccessKey == "default-secret")
        #expect(byDefault.sessionToken == nil)
        #expect(byDefault.source == "\(file) [default]")

        let byVariable = try S3Credentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "offsite"])
        #expect(byVariable.accessKeyID == "AKIAOFFSITE")
        #expect(byVariable.sessionToken == "offsite-token")

        // HOME/.aws/credentials when AWS_SHARED_CREDENTIALS_FILE is unset.
        try FileManager.default.createDirectory(atPath: folder.path + "/.aws", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: file, toPath: folder.path + "/.aws/credentials")
        let byHome = try S3Credentials.resolve(environment: ["HOME": folder.path], profile: "offsite")
        #expect(byHome.accessKeyID == "AKIAOFFSITE")
        #expect(byHome.source == "\(folder.path)/.aws/credentials [offsite]")
    }

    @Test("an explicit profile wins over AWS_ACCESS_KEY_ID, like the AWS CLI's --profile")
    func explicitProfileWins() throws {
        let folder = try TempFolder()
        let file = try folder.write("credentials", "[offsite]\naws_access_key_id = AKIAOFFSITE\naws_secret_access_key = s\n")
        let credentials = try S3Credentials.resolve(
            environment: ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "e", "AWS_SHARED_CREDENTIALS_FILE": file],
            profile: "offsite"
        )
        #expect(credentials.accessKeyID == "AKIAOFFSITE")
    }

    @Test("nothing found: the message names every place looked and how to provide keys")
    func missing() throws {
        let error = try #require(lifeboatError { _ = try S3Credentials.resolve(environment: ["HOME": "/nonexistent-home"]) })
        #expect(error.code == .configuration)
        #expect(error.message == "No S3 credentials found. Looked in: environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (not set); shared credentials file /nonexistent-home/.aws/credentials (not found). Export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add a [default] section with aws_access_key_id and aws_secret_access_key to /nonexistent-home/.aws/credentials (or point AWS_SHARED_CREDENTIALS_FILE at such a file).")
    }

    @Test("a missing profile lists the profiles the file has; a half-set environment says which half")
    func wrongProfile() throws {
        let folder = try TempFolder()
        let file = try folder.write("credentials", "[default]\naws_access_key_id = A\naws_secret_access_key = \(secret)\n[work]\naws_access_key_id = B\n")
        let noProfile = try #require(lifeboatError { _ = try S3Credentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": file], profile: "offsite") })
        #expect(noProfile.message.contains("shared credentials file \(file): no [offsite] profile (it has: default, work)"))
        #expect(noProfile.message.contains("add a [offsite] section"))

        let noSecret = try #require(lifeboatError { _ = try S3Credentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "work"]) })
        #expect(noSecret.message == "\(file), profile [work] (line 4) has no aws_secret_access_key: add it next to aws_access_key_id.")

        let half = try #require(lifeboatError { _ = try S3Credentials.resolve(environment: ["AWS_ACCESS_KEY_ID": "AKIA"]) })
        #expect(half.message == "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: export both, or unset AWS_ACCESS_KEY_ID to use the shared credentials file.")

        let garbled = try folder.write("garbled", "[default]\naws_access_key_id \(secret)\n")
        let parse = try #require(lifeboatError { _ = try S3Credentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": garbled]) })
        #expect(parse.message == "\(garbled), line 2: expected key = value or a [profile] header.")
        for error in [noProfile, noSecret, half, parse] {
            #expect(!error.detailedDescription.contains(secret))
        }
    }

    @Test("printing credentials, or anything holding them, never shows the secret or the token")
    func redaction() throws {
        let credentials = S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: secret, sessionToken: token, source: "the test")
        #expect(credentials.description == "S3Credentials(access key: …MPLE, secret: <redacted>, session token: <redacted>, from the test)")
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1")
        let settings = try S3Settings.resolve(endpoint: "http://127.0.0.1:1", region: nil, pathStyle: nil, environment: [:])
        let client = try S3Client(bucket: "some-bucket", settings: settings, credentials: credentials)
        let texts = [
            String(describing: credentials), String(reflecting: credentials), dumped(credentials),
            "\(signer)", dumped(signer), String(reflecting: [credentials]), String(reflecting: Optional(credentials)),
            dumped(client),
        ]
        for text in texts {
            #expect(!text.contains(secret), "\(text)")
            #expect(!text.contains(token), "\(text)")
        }
    }

    @Test("errors from a failing server name where the keys came from, never the keys")
    func errorsCarryNoSecrets() throws {
        let credentials = S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: secret, sessionToken: token, source: "the test")
        let settings = try testSettings("http://127.0.0.1:\(try MotoServer.freePort())") { $0.maxAttempts = 2 }
        let client = try S3Client(bucket: "some-bucket", settings: settings, credentials: credentials)
        let error = try #require(lifeboatError { _ = try client.get(key: "k") })
        #expect(error.message.hasPrefix("S3 GET s3://some-bucket/k could not reach http://127.0.0.1:"))
        #expect(!error.detailedDescription.contains(secret))
        #expect(!error.detailedDescription.contains(token))
    }
}
