import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Turning S3's answers into `LifeboatError`s that say what to do. Messages name the operation, the
/// key, the HTTP status and S3's code and message, and where the credentials came from; never the
/// credentials, the signature or any header.
extension S3Client {
    func failure(_ error: S3ErrorResponse, operation: String, attempts: Int) -> LifeboatError {
        let s3Message = error.message.isEmpty ? "" : ": \(error.message)"
        let what = "S3 \(operation) failed with HTTP \(error.status) \(error.code)\(s3Message)"
        let (code, advice) = advice(for: error)
        var details = ["endpoint: \(settings.endpoint.absoluteString) (region \(settings.region), \(usesPathStyle ? "path" : "virtual-hosted") style)"]
        details.append("credentials: \(credentialSource)")
        if let requestID = error.requestID { details.append("S3 request id: \(requestID)") }
        if attempts > 1 { details.append("attempts: \(attempts)") }
        let tries = attempts > 1 ? " (after \(attempts) attempts)" : ""
        return LifeboatError(code, "\(what)\(tries). \(advice)", details: details)
    }

    func failure(_ error: URLError, operation: String, attempts: Int) -> LifeboatError {
        let endpoint = settings.endpoint.absoluteString
        let advice = Self.isTransientText(error)
            ? "Check the endpoint URL, that the server is running and reachable, and any proxy or firewall in between; then retry."
            : "Check the endpoint URL (scheme, host, port) and, for https, the server's certificate."
        return LifeboatError(
            .io,
            "S3 \(operation) could not reach \(endpoint)\(attempts > 1 ? " (after \(attempts) attempts)" : ""): \(Self.describe(error)). \(advice)",
            details: ["URLError code \(error.code.rawValue)"],
            cause: error
        )
    }

    private static func isTransientText(_ error: URLError) -> Bool { S3RetryPolicy.isTransient(error) }

    /// URLError's description without its userInfo dump (which repeats the URL three times).
    static func describe(_ error: URLError) -> String {
        if let text = error.userInfo[NSLocalizedDescriptionKey] as? String, !text.isEmpty { return text }
        switch error.code {
        case .timedOut: return "the request timed out"
        case .cannotConnectToHost: return "connection refused"
        case .networkConnectionLost: return "the connection was lost"
        case .cannotFindHost, .dnsLookupFailed: return "the host name did not resolve"
        default: return "URL error \(error.code.rawValue)"
        }
    }

    private func advice(for error: S3ErrorResponse) -> (LifeboatError.Code, String) {
        switch error.code {
        case "NoSuchBucket":
            return (.repository, "Bucket \"\(bucket)\" does not exist at \(settings.endpoint.absoluteString): `lifeboat init` creates it for a new repository (or aws s3 mb s3://\(bucket) --endpoint-url \(settings.endpoint.absoluteString)), or fix the bucket name in the s3:// URL or the endpoint.")
        case "NoSuchKey", "NotFound":
            return (.corrupt, "The object is missing from the bucket: it was deleted or never written; run lifeboat verify to see what is affected.")
        case "InvalidAccessKeyId":
            return (.configuration, "The access key ID (from \(credentialSource)) is unknown to this endpoint: check the keys, and that they belong to the account and endpoint in use.")
        case "SignatureDoesNotMatch":
            return (.configuration, "The secret access key (from \(credentialSource)) does not match its access key ID: check the secret for typos or stray whitespace.")
        case "ExpiredToken", "TokenRefreshRequired", "InvalidToken":
            return (.configuration, "The session token (from \(credentialSource)) is expired or invalid: refresh the temporary credentials (e.g. aws sso login) and retry.")
        case "RequestTimeTooSkewed":
            return (.configuration, "This machine's clock is more than 15 minutes off the server's: synchronise it (NTP) and retry.")
        case "AccessDenied", "Forbidden", "AllAccessDisabled":
            return (.configuration, "Check that the credentials (from \(credentialSource)) are valid and allowed this operation on bucket \"\(bucket)\", in both the IAM policy and the bucket policy.")
        case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
            let region = error.bucketRegion.map { "Set the region to \($0) (the bucket's region)" } ?? "Set the region to the bucket's region"
            return (.configuration, "\(region); the request was signed for \(settings.region).")
        case "BucketAlreadyExists":
            return (.configuration, "Bucket names are global and another account owns \"\(bucket)\": choose another bucket name.")
        case "EntityTooSmall":
            return (.configuration, "A multipart part was below the server's minimum part size: raise partSize to at least 5 MiB.")
        case "EntityTooLarge":
            return (.configuration, "The object or part is larger than the server accepts: lower partSize (objects over 5 GiB need multipart).")
        case "NoSuchUpload":
            return (.io, "The multipart upload was aborted or completed elsewhere (a lifecycle rule, or another process cleaning up): run the backup again.")
        case "PreconditionFailed":
            return (.io, "The object changed while it was being read (it was overwritten): read it again.")
        case "InvalidRange":
            return (.corrupt, "The object is shorter than the range asked for: it was truncated or replaced.")
        case "QuotaExceeded", "StorageLimitExceeded":
            return (.io, "The storage quota is used up: free space or raise the quota.")
        default:
            if S3RetryPolicy.isTransient(status: error.status, code: error.code) {
                return (.io, "The service kept failing or throttling: try again later, or lower maxParallel.")
            }
            return (.io, "S3 refused the request; the message above says why.")
        }
    }
}
