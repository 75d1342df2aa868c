import Foundation

/// The bucket itself: for `lifeboat init` and tests.
extension S3Client {
    /// Creates the bucket in the configured region; a bucket this account already owns is fine.
    public func createBucket() throws {
        var body = Data()
        // us-east-1 is S3's default and refuses an explicit constraint naming itself.
        if settings.region != "us-east-1" {
            body = Data(("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(S3XMLElement.escape(settings.region))</LocationConstraint></CreateBucketConfiguration>").utf8)
        }
        _ = try send(
            S3Request(method: "PUT", key: nil, body: body, operation: "CreateBucket s3://\(bucket)"),
            tolerate: { error, _ in error.code == "BucketAlreadyOwnedByYou" }
        )
    }

    /// True when the bucket exists and these credentials may use it; false when it does not exist.
    /// Throws when access is denied or the bucket is in another region, with what to change.
    public func bucketExists() throws -> Bool {
        let response = try send(
            S3Request(method: "HEAD", key: nil, operation: "HEAD s3://\(bucket)"),
            tolerate: { error, _ in error.status == 404 }
        )
        return response.status != 404
    }
}
