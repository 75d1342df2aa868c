import Foundation
import Glibc

/// AWS Signature Version 4 for S3, as a pure function of the request, the credentials and the time:
/// no I/O, so it is tested byte for byte against AWS's published examples.
///
/// S3 differs from other services in two ways this signer follows: the path is encoded once (not twice)
/// and never normalized, and the payload hash is sent in `x-amz-content-sha256`. Sign the payload's real
/// SHA-256 (not `UNSIGNED-PAYLOAD`) and S3 rejects a body altered in transit.
public struct SigV4Signer: Sendable, CustomStringConvertible {
    public let credentials: S3Credentials
    public let region: String
    public let service: String

    /// The payload hash that signs headers only; S3Client never uses it.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of zero bytes, the payload hash of GET, HEAD and DELETE.
    public static let emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Signs one request.
    ///
    /// - Parameters:
    ///   - path: the decoded path, e.g. `/bucket/photos/a b.jpg`; each segment is URI-encoded here.
    ///   - query: decoded names and values; `("uploads", "")` for a bare `?uploads`.
    ///   - headers: every header to sign; must include `host`. `x-amz-date`, `x-amz-content-sha256`
    ///     and (with a session token) `x-amz-security-token` are added.
    ///   - payloadSHA256: lowercase hex SHA-256 of the body, or `unsignedPayload`.
    public func sign(
        method: String,
        path: String,
        query: [(name: String, value: String)],
        headers: [String: String],
        payloadSHA256: String,
        date: Date
    ) -> SigV4Signature {
        let (amzDate, day) = Self.timestamps(date)
        var all = [String: String]()
        for (name, value) in headers { all[name.lowercased()] = Self.canonicalValue(value) }
        all["x-amz-date"] = amzDate
        all["x-amz-content-sha256"] = payloadSHA256
        if let token = credentials.sessionToken { all["x-amz-security-token"] = token }

        let names = all.keys.sorted()
        let signedHeaders = names.joined(separator: ";")
        let canonicalHeaders = names.map { "\($0):\(all[$0]!)\n" }.joined()
        let canonicalRequest = [
            method,
            S3URIEncoding.encodePath(path.isEmpty ? "/" : path),
            Self.canonicalQuery(query),
            canonicalHeaders,
            signedHeaders,
            payloadSHA256,
        ].joined(separator: "\n")

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, S3Crypto.sha256Hex(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")

        var key = S3Crypto.hmacSHA256(key: Array("AWS4\(credentials.secretAccessKey)".utf8), day)
        key = S3Crypto.hmacSHA256(key: key, region)
        key = S3Crypto.hmacSHA256(key: key, service)
        key = S3Crypto.hmacSHA256(key: key, "aws4_request")
        let signature = S3Crypto.hex(S3Crypto.hmacSHA256(key: key, stringToSign))

        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        all["authorization"] = authorization
        return SigV4Signature(
            signature: signature, authorization: authorization, signedHeaders: signedHeaders,
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, headers: all
        )
    }

    /// `a=1&b=2`: names and values encoded, sorted by name then value; a bare name gets `=`.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        // Encoded text is ASCII, so String's ordering is the byte order SigV4 asks for.
        let encoded: [(name: String, value: String)] = query.map { item in
            (S3URIEncoding.encodeQueryComponent(item.name), S3URIEncoding.encodeQueryComponent(item.value))
        }
        let sorted = encoded.sorted { left, right in
            left.name == right.name ? left.value < right.value : left.name < right.name
        }
        return sorted.map { item in item.name + "=" + item.value }.joined(separator: "&")
    }

    /// Trims the value and collapses runs of spaces, as SigV4's canonical headers require.
    private static func canonicalValue(_ value: String) -> String {
        var out = ""
        var pendingSpace = false
        for character in value.trimmingCharacters(in: .whitespaces) {
            if character == " " || character == "\t" {
                pendingSpace = true
                continue
            }
            if pendingSpace { out.append(" ") }
            pendingSpace = false
            out.append(character)
        }
        return out
    }

    /// `20130524T000000Z` and `20130524` in UTC, without DateFormatter (slow, and locale-sensitive).
    static func timestamps(_ date: Date) -> (amzDate: String, day: String) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0" + String(n) : String(n) }
        let year = String(parts.tm_year + 1900)
        let day: String = year + two(parts.tm_mon + 1) + two(parts.tm_mday)
        let time: String = two(parts.tm_hour) + two(parts.tm_min) + two(parts.tm_sec)
        return (day + "T" + time + "Z", day)
    }

    public var description: String {
        "SigV4Signer(region: \(region), service: \(service), credentials: \(credentials))"
    }
}

/// The result of signing: the headers to send and the intermediate strings AWS documents, for tests
/// and for diagnosing `SignatureDoesNotMatch`.
///
/// `headers` and `canonicalRequest` hold the session token when there is one, so the printed forms
/// leave them out.
public struct SigV4Signature: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let signature: String
    public let authorization: String
    public let signedHeaders: String
    public let canonicalRequest: String
    public let stringToSign: String
    /// Every signed header plus `authorization`, names in lowercase.
    public let headers: [String: String]

    public var description: String { "SigV4Signature(signedHeaders: \(signedHeaders), signature: \(signature))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["signedHeaders": signedHeaders, "signature": signature])
    }
}
