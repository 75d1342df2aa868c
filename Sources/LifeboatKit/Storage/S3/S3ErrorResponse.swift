import Foundation

/// An S3 error answer: status plus the `<Error>` document's code and message (HEAD answers have no
/// body, so their code is derived from the status).
struct S3ErrorResponse: Sendable {
    var status: Int
    var code: String
    var message: String
    var requestID: String?
    /// `x-amz-bucket-region`, sent when the bucket lives in another region than the request was signed for.
    var bucketRegion: String?

    init(status: Int, code: String, message: String, requestID: String? = nil, bucketRegion: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
        self.bucketRegion = bucketRegion
    }

    init(_ response: S3HTTPResponse) {
        let document = S3XMLElement.parse(response.body)
        let error = document?.name == "Error" ? document : nil
        status = response.status
        code = error?.string("Code") ?? Self.code(forStatus: response.status)
        message = error?.string("Message") ?? ""
        requestID = error?.string("RequestId") ?? response.headers["x-amz-request-id"]
        bucketRegion = response.headers["x-amz-bucket-region"] ?? error?.string("Region")
    }

    /// An `<Error>` document inside a 200 answer: CompleteMultipartUpload reports late failures this way.
    static func embedded(in response: S3HTTPResponse) -> S3ErrorResponse? {
        guard response.body.count < 64 * 1024, let document = S3XMLElement.parse(response.body), document.name == "Error" else { return nil }
        var error = S3ErrorResponse(response)
        // Retry decisions treat it as the server error it is.
        error.status = 500
        return error
    }

    private static func code(forStatus status: Int) -> String {
        switch status {
        case 301: "PermanentRedirect"
        case 304: "NotModified"
        case 400: "BadRequest"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 412: "PreconditionFailed"
        case 416: "InvalidRange"
        case 429: "TooManyRequests"
        case 503: "ServiceUnavailable"
        default: "HTTP\(status)"
        }
    }
}
