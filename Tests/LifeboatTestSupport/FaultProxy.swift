import Foundation
import Glibc
import LifeboatNative
import Synchronization

/// A tiny HTTP proxy in front of moto that fails chosen requests: moto has no fault switch, and
/// retries can only be shown against a server that really fails.
///
/// One request per connection (it answers `Connection: close`, as moto does). Each request gets a
/// number from 1; `decide` maps number and request line to a fault, or nil to forward it to moto.
public final class FaultProxy: Sendable {
    public enum Fault: Sendable {
        /// Answer with this status and an S3 `<Error>` document carrying `code`.
        case status(Int, code: String)
        /// Read the request, then close the connection without answering.
        case drop
        /// Read the request, then say nothing for this many seconds before closing (a timeout).
        case stall(Double)
        /// Forward the request to moto, then close without passing on its answer: the request took
        /// effect, but the client cannot know.
        case loseAnswer
    }

    public let port: Int
    public var endpoint: String { "http://127.0.0.1:\(port)" }
    private let upstreamPort: Int
    private let listener: Int32
    private let decide: @Sendable (_ number: Int, _ requestLine: String) -> Fault?
    private let log = Mutex<(lines: [String], faults: Int, payloads: [Payload])>(([], 0, []))
    private let stopped = Mutex(false)

    /// Every request line seen ("GET /bucket/key?x HTTP/1.1"), in arrival order.
    public var requests: [String] { log.withLock { $0.lines } }
    /// How many requests got a fault.
    public var faults: Int { log.withLock { $0.faults } }
    /// For every request, the `x-amz-content-sha256` it declared and the SHA-256 of the body it sent.
    public var payloads: [Payload] { log.withLock { $0.payloads } }

    public struct Payload: Sendable {
        public var requestLine: String
        public var declared: String
        public var actual: String
    }

    public init(upstreamPort: Int, decide: @escaping @Sendable (_ number: Int, _ requestLine: String) -> Fault?) throws {
        self.upstreamPort = upstreamPort
        self.decide = decide
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && listen(fd, 64) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard fd >= 0, ok else { throw MotoServer.StartError(description: "fault proxy could not listen: errno \(errno)") }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { stop() }

    /// Stops accepting; connections being served finish. Safe to call twice (closes the socket once).
    public func stop() {
        guard !stopped.withLock({ was in defer { was = true }; return was }) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            Thread.detachNewThread { [self] in
                handle(client)
                close(client)
            }
        }
    }

    private func handle(_ client: Int32) {
        guard let (head, body) = Self.readRequest(client) else { return }
        let requestLine = String(decoding: head.prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
        let declared = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
            .first { $0.lowercased().hasPrefix("x-amz-content-sha256:") }
            .map { $0.dropFirst("x-amz-content-sha256:".count).trimmingCharacters(in: .whitespaces) } ?? ""
        let payload = Payload(requestLine: requestLine, declared: declared, actual: SHA256Hasher.digest(body).hex)
        let number = log.withLock { log in
            log.lines.append(requestLine)
            log.payloads.append(payload)
            return log.lines.count
        }
        guard let fault = decide(number, requestLine) else { return forward(head: head, body: body, to: client) }
        log.withLock { $0.faults += 1 }
        switch fault {
        case .status(let status, let code):
            let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(code)</Code><Message>injected by FaultProxy</Message></Error>"
            let isHead = requestLine.hasPrefix("HEAD ")
            var response = "HTTP/1.1 \(status) Injected\r\nContent-Type: application/xml\r\nContent-Length: \(xml.utf8.count)\r\nConnection: close\r\n\r\n"
            if !isHead { response += xml }
            Self.sendAll(client, Array(response.utf8))
        case .drop:
            return
        case .stall(let seconds):
            Thread.sleep(forTimeInterval: seconds)
        case .loseAnswer:
            forward(head: head, body: body, to: nil)
        }
    }

    /// Sends the request to moto with `Connection: close` and relays the answer until moto closes
    /// (reads and drops it when `client` is nil).
    private func forward(head: [UInt8], body: [UInt8], to client: Int32?) {
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(upstream) }
        var address = Self.loopback(port: upstreamPort)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return }
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n").filter {
            !$0.isEmpty && !$0.lowercased().hasPrefix("connection:")
        }
        let rewritten = lines.joined(separator: "\r\n") + "\r\nConnection: close\r\n\r\n"
        guard Self.sendAll(upstream, Array(rewritten.utf8)), Self.sendAll(upstream, body) else { return }
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let n = recv(upstream, &buffer, buffer.count, 0)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            if let client, !Self.sendAll(client, Array(buffer[0..<n])) { return }
        }
    }

    /// The head (through the blank line) and a Content-Length body of one request.
    private static func readRequest(_ fd: Int32) -> (head: [UInt8], body: [UInt8])? {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        let terminator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        var contentLength = 0
        while true {
            if headEnd == nil, let end = find(terminator, in: data) {
                headEnd = end + 4
                let head = String(decoding: data[0..<end], as: UTF8.self).lowercased()
                for line in head.components(separatedBy: "\r\n") where line.hasPrefix("content-length:") {
                    contentLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if let headEnd, data.count >= headEnd + contentLength {
                return (Array(data[0..<headEnd]), Array(data[headEnd..<headEnd + contentLength]))
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            data.append(contentsOf: buffer[0..<n])
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if Array(haystack[index..<index + needle.count]) == needle { return index }
        }
        return nil
    }

    /// `send` with MSG_NOSIGNAL: a peer that hung up must not SIGPIPE the test process.
    @discardableResult
    private static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }
}
