import Foundation
import LifeboatTestSupport
@testable import LifeboatKit
import Testing

@Suite("S3 locations and settings")
struct LocationSettingsTests {
    @Test("s3:// URLs: bucket, optional prefix without outer slashes, keys joined with one slash")
    func parse() throws {
        let root = try S3Location(parsing: "s3://my-backups")
        #expect(root.bucket == "my-backups")
        #expect(root.prefix == "")
        #expect(root.key("config.json") == "config.json")
        #expect(root.description == "s3://my-backups")

        let nested = try S3Location(parsing: "s3://my.backups-2/laptop/daily/")
        #expect(nested.bucket == "my.backups-2")
        #expect(nested.prefix == "laptop/daily")
        #expect(nested.key("objects/ab/cd") == "laptop/daily/objects/ab/cd")
        #expect(nested.description == "s3://my.backups-2/laptop/daily")
        #expect(try S3Location(parsing: "s3://abc/") == S3Location(parsing: "s3://abc"))
    }

    @Test("invalid URLs and bucket names say what a valid one looks like", arguments: [
        ("https://bucket/x", "is not an S3 URL"),
        ("s3://ab", "it must be 3 to 63 characters long"),
        ("s3://" + String(repeating: "a", count: 64), "it must be 3 to 63 characters long"),
        ("s3://My-Bucket", "only lowercase letters, digits, dots and hyphens are allowed"),
        ("s3://bucket_name", "only lowercase letters, digits, dots and hyphens are allowed"),
        ("s3://-bucket", "it must start and end with a letter or digit"),
        ("s3://bucket.", "it must start and end with a letter or digit"),
        ("s3://a..b", "it must not contain two dots in a row"),
        ("s3://bucket/a//b", "has an empty, \".\" or \"..\" segment"),
        ("s3://bucket/a/../b", "has an empty, \".\" or \"..\" segment"),
    ])
    func invalid(text: String, reason: String) throws {
        let error = try #require(lifeboatError { _ = try S3Location(parsing: text) })
        #expect(error.code == .configuration)
        #expect(error.message.contains(reason))
        if !text.contains("/a/") {
            #expect(error.message.hasSuffix("expected s3://bucket or s3://bucket/prefix, where bucket is 3–63 lowercase letters, digits, dots and hyphens starting and ending with a letter or digit (e.g. s3://my-backups/laptop)."))
        }
    }

    @Test("endpoint: explicit, then AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, then AWS for the region")
    func endpoint() throws {
        let environment = ["AWS_ENDPOINT_URL_S3": "http://s3-specific:9000", "AWS_ENDPOINT_URL": "http://general:9000"]
        #expect(try S3Settings.resolve(endpoint: "https://minio.local", region: nil, pathStyle: nil, environment: environment).endpoint.absoluteString == "https://minio.local")
        #expect(try S3Settings.resolve(endpoint: nil, region: nil, pathStyle: nil, environment: environment).endpoint.absoluteString == "http://s3-specific:9000")
        #expect(try S3Settings.resolve(endpoint: nil, region: nil, pathStyle: nil, environment: ["AWS_ENDPOINT_URL": "http://general:9000"]).endpoint.absoluteString == "http://general:9000")
        let aws = try S3Settings.resolve(endpoint: nil, region: "eu-west-1", pathStyle: nil, environment: [:])
        #expect(aws.endpoint.absoluteString == "https://s3.eu-west-1.amazonaws.com")
        #expect(aws.pathStyle == false)
        #expect(try S3Settings.resolve(endpoint: "http://127.0.0.1:9000/", region: nil, pathStyle: nil, environment: [:]).pathStyle == true)
        #expect(try S3Settings.resolve(endpoint: "http://127.0.0.1:9000", region: nil, pathStyle: false, environment: [:]).pathStyle == false)
        let error = try #require(lifeboatError { _ = try S3Settings.resolve(endpoint: "http://host/bucket", region: nil, pathStyle: nil, environment: [:]) })
        #expect(error.message == "S3 endpoint \"http://host/bucket\" has a path, query or user name: write it as scheme://host[:port], e.g. https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:9000; put the bucket and prefix in the s3:// URL instead, and credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.")
        let withSecret = try #require(lifeboatError { _ = try S3Settings.resolve(endpoint: "https://AKIAEXAMPLE:very-secret@minio.example:9000", region: nil, pathStyle: nil, environment: [:]) })
        #expect(!withSecret.message.contains("very-secret") && !withSecret.message.contains("AKIAEXAMPLE") && withSecret.message.contains("…@minio.example:9000"),
                "\(withSecret.message)")
    }

    @Test("region: explicit, then AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1; defaults for tuning")
    func region() throws {
        #expect(try S3Settings.resolve(endpoint: nil, region: "ap-south-1", pathStyle: nil, environment: ["AWS_REGION": "eu-west-2"]).region == "ap-south-1")
        #expect(try S3Settings.resolve(endpoint: nil, region: nil, pathStyle: nil, environment: ["AWS_REGION": "eu-west-2", "AWS_DEFAULT_REGION": "eu-west-3"]).region == "eu-west-2")
        #expect(try S3Settings.resolve(endpoint: nil, region: nil, pathStyle: nil, environment: ["AWS_DEFAULT_REGION": "eu-west-3"]).region == "eu-west-3")
        let defaults = try S3Settings.resolve(endpoint: nil, region: nil, pathStyle: nil, environment: [:])
        #expect(defaults.region == "us-east-1")
        #expect(defaults.partSize == 16 * mebibyte)
        #expect(defaults.maxParallel == 4)
        #expect(defaults.maxAttempts == 5)
    }

    @Test("a part size under 5 MiB is refused unless the floor is lowered for a test server")
    func partSizeFloor() throws {
        var settings = try testSettings("http://127.0.0.1:1")
        settings.partSize = 5 * mebibyte - 1
        let error = try #require(lifeboatError { _ = try S3Client(bucket: "bucket", settings: settings, credentials: fakeCredentials) })
        #expect(error.message == "S3 part size 5242879 bytes is below the minimum of 5242880 bytes (S3 rejects smaller parts): raise partSize to at least 5 MiB.")
        settings.minimumPartSize = 64 * 1024
        _ = try S3Client(bucket: "bucket", settings: settings, credentials: fakeCredentials)
    }
}
