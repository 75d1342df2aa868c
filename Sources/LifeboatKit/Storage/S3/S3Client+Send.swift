import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One S3 operation before signing: what S3Client's public methods describe and `send` carries out.
struct S3Request {
    var method: String
    /// nil for an operation on the bucket itself.
    var key: String?
    var query: [(name: String, value: String)] = []
    /// Extra headers to sign and send (`range`, `content-md5`, `x-amz-meta-*`...).
    var headers: [String: String] = [:]
    var body = Data()
    /// How messages name it: "PUT s3://bucket/key".
    var operation: String
}

extension S3Client {
    /// Signs and sends `request`, retrying transient failures with backoff (each attempt re-signed, so
    /// its timestamp stays fresh).
    ///
    /// Returns a 2xx answer, or an error answer that `tolerate` accepts as a result (a 404 on GET means
    /// "no such key"); `tolerate` also gets the attempt number, counting from 1.
    /// `embeddedErrors`: also treat an `<Error>` document in a 200 answer as a failure, as
    /// CompleteMultipartUpload requires.
    func send(
        _ request: S3Request,
        tolerate: (_ error: S3ErrorResponse, _ attempt: Int) -> Bool = { _, _ in false },
        embeddedErrors: Bool = false
    ) throws -> S3HTTPResponse {
        let payloadSHA256 = request.body.withUnsafeBytes { S3Crypto.sha256Hex($0) }
        let (host, path) = address(of: request.key)
        let url = requestURL(host: host, path: path, query: request.query)
        var headers = request.headers
        headers["host"] = host

        var attempt = 0
        while true {
            attempt += 1
            let signed = signer.sign(
                method: request.method, path: path, query: request.query, headers: headers,
                payloadSHA256: payloadSHA256, date: Date()
            )
            let failure: LifeboatError
            let transient: Bool
            do {
                let response = try transport.send(S3HTTPRequest(method: request.method, url: url, headers: signed.headers, body: request.body))
                if (200..<300).contains(response.status) {
                    guard embeddedErrors, let error = S3ErrorResponse.embedded(in: response) else { return response }
                    failure = self.failure(error, operation: request.operation, attempts: attempt)
                    transient = S3RetryPolicy.isTransient(status: error.status, code: error.code)
                } else {
                    let error = S3ErrorResponse(response)
                    if tolerate(error, attempt) { return response }
                    failure = self.failure(error, operation: request.operation, attempts: attempt)
                    transient = S3RetryPolicy.isTransient(status: error.status, code: error.code)
                }
            } catch let error as URLError {
                failure = self.failure(error, operation: request.operation, attempts: attempt)
                transient = S3RetryPolicy.isTransient(error)
            }
            guard transient, attempt < retry.maxAttempts else { throw failure }
            Thread.sleep(forTimeInterval: retry.delay(afterAttempt: attempt))
        }
    }
}
