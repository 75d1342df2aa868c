import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Which failures are worth another try, and how long to wait first.
///
/// Transient: 5xx, 429 and S3's throttling / timeout codes (which S3 sometimes sends with a 400 or 503),
/// and transfers that time out or lose their connection. Everything else (403, 404, a malformed
/// request) fails the same way every time, so it is reported at once.
struct S3RetryPolicy: Sendable {
    var maxAttempts: Int
    var base: Double
    var cap: Double

    static let transientCodes: Set<String> = [
        "InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "Throttling",
        "ThrottlingException", "RequestLimitExceeded", "RequestThrottled", "OperationAborted",
    ]

    static func isTransient(status: Int, code: String) -> Bool {
        status >= 500 || status == 429 || transientCodes.contains(code)
    }

    static let transientURLErrors: Set<URLError.Code> = [
        .timedOut, .cannotConnectToHost, .networkConnectionLost, .notConnectedToInternet,
        .cannotFindHost, .dnsLookupFailed, .badServerResponse, .cannotParseResponse,
        .zeroByteResource, .resourceUnavailable, .cannotLoadFromNetwork, .secureConnectionFailed,
    ]

    static func isTransient(_ error: URLError) -> Bool {
        transientURLErrors.contains(error.code)
    }

    /// Seconds to wait before attempt `attempt + 1`: `base · 2^(attempt-1)`, capped, then scaled by a
    /// random factor in [0.5, 1] so that parallel requests failing together do not retry together.
    func delay(afterAttempt attempt: Int) -> Double {
        let exponential = min(cap, base * pow(2, Double(min(attempt - 1, 30))))
        return exponential * Double.random(in: 0.5...1)
    }
}
