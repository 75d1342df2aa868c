import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// One HTTP exchange as S3Client sees it: a fully signed request in, status, headers and body out.
struct S3HTTPRequest: Sendable {
    var method: String
    var url: URL
    /// Sent exactly as given; `host` included, since it was signed.
    var headers: [String: String]
    var body: Data
}

struct S3HTTPResponse: Sendable {
    var status: Int
    /// Names in lowercase.
    var headers: [String: String]
    var body: Data
}

/// Foundation's URLSession, driven synchronously: each call starts a data task and blocks the calling
/// thread on a semaphore until its completion handler runs on the session's own queue.
///
/// Lifeboat's readers and writers are plain threads, so a blocking call is what they need; URLSession
/// runs many tasks at once on its internal queue, so calls from many threads proceed in parallel (up to
/// `httpMaximumConnectionsPerHost`). Never call `send` from the session's delegate queue (nothing here
/// does): it would wait for itself.
final class S3Transport: Sendable {
    private let session: URLSession

    init(timeout: TimeInterval, maxConnections: Int) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        // A stalled transfer is caught by the per-request timeout; a long one is legitimate (5 GiB parts).
        configuration.timeoutIntervalForResource = 7 * 24 * 3600
        configuration.httpMaximumConnectionsPerHost = maxConnections
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    deinit {
        // A session keeps itself alive until invalidated.
        session.finishTasksAndInvalidate()
    }

    /// Sends one request and waits for the whole response. Throws the `URLError` of a failed transfer
    /// (connection refused or lost, timeout, TLS failure); any HTTP status is a response, not an error.
    func send(_ request: S3HTTPRequest) throws -> S3HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        // URLSession would advertise gzip and br; a ranged GET must come back as the stored bytes.
        urlRequest.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        if !request.body.isEmpty || request.method == "PUT" || request.method == "POST" {
            urlRequest.httpBody = request.body
            urlRequest.setValue(String(request.body.count), forHTTPHeaderField: "Content-Length")
        }

        let outcome = Outcome()
        let task = session.dataTask(with: urlRequest) { data, response, error in
            outcome.result.withLock { $0 = (data, response, error) }
            outcome.done.signal()
        }
        task.resume()
        outcome.done.wait()
        let (data, response, error) = outcome.result.withLock { $0 } ?? (nil, nil, nil)

        if let error {
            throw (error as? URLError) ?? URLError(.unknown, userInfo: [NSUnderlyingErrorKey: error])
        }
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var headers = [String: String]()
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return S3HTTPResponse(status: http.statusCode, headers: headers, body: data ?? Data())
    }

    /// What the completion handler hands back across threads.
    private final class Outcome: Sendable {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<(Data?, URLResponse?, (any Error)?)?>(nil)
    }
}
