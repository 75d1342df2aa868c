import Foundation
import Glibc

/// The network probes of `wait` steps. Each returns quickly and never throws: a probe that cannot run
/// is simply not healthy yet, and its reason is kept for the step's record.
enum Probes {
    /// Opens (and closes) a TCP connection; `nil` when it connected, else why not.
    static func tcp(host: String, port: Int, timeout: Double) -> String? {
        switch connect(host: host, port: port, timeout: timeout) {
        case .success(let socket):
            close(socket)
            return nil
        case .failure(let reason):
            return reason.message
        }
    }

    /// A GET of `url`: healthy when the status is `expect` (any 2xx when nil). `http://` is spoken
    /// directly; `https://` goes through `curl`, which must be installed.
    static func http(url: String, expect: Int?, timeout: Double) -> (Bool, String) {
        let status: Int
        if url.hasPrefix("https://") {
            guard let code = curlStatus(url: url, timeout: timeout) else { return (false, "no answer from \(url) (curl)") }
            status = code
        } else {
            switch plainHTTPStatus(url: url, timeout: timeout) {
            case .success(let code): status = code
            case .failure(let reason): return (false, reason.message)
            }
        }
        let healthy = expect.map { $0 == status } ?? (200..<300).contains(status)
        return (healthy, "HTTP \(status) from \(url)\(healthy ? "" : ", expected \(expect.map(String.init) ?? "2xx")")")
    }

    struct Failure: Error {
        let message: String
    }

    private static func connect(host: String, port: Int, timeout: Double) -> Result<Int32, Failure> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure(Failure(message: "cannot resolve \(host): \(String(cString: gai_strerror(status)))"))
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            let socket = Glibc.socket(address.pointee.ai_family, address.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                                      address.pointee.ai_protocol)
            guard socket >= 0 else { continue }
            if Glibc.connect(socket, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return .success(socket) }
            if errno == EINPROGRESS {
                var poller = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
                if poll(&poller, 1, Int32(timeout * 1000)) == 1 {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length)
                    if error == 0 { return .success(socket) }
                    lastError = String(cString: strerror(error))
                } else {
                    lastError = "no answer within \(Int(timeout.rounded(.up)))s"
                }
            } else {
                lastError = String(cString: strerror(errno))
            }
            close(socket)
        }
        return .failure(Failure(message: "cannot connect to \(host):\(port): \(lastError)"))
    }

    /// `GET path HTTP/1.0` over a plain socket; the status code of the answer.
    private static func plainHTTPStatus(url: String, timeout: Double) -> Result<Int, Failure> {
        guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host else {
            return .failure(Failure(message: "not an http:// URL: \(url)"))
        }
        let port = components.port ?? 80
        let socket: Int32
        switch connect(host: host, port: port, timeout: timeout) {
        case .success(let opened): socket = opened
        case .failure(let failure): return .failure(failure)
        }
        defer { close(socket) }
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?\(query)" }
        let hostHeader = host.contains(":") ? "[\(host)]" : host
        let request = Array("GET \(path) HTTP/1.0\r\nHost: \(hostHeader):\(port)\r\nUser-Agent: lifeboat\r\nConnection: close\r\n\r\n".utf8)
        let end = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        var sent = 0
        while sent < request.count {
            var poller = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
            guard poll(&poller, 1, max(1, Int32((end - .now).inSeconds * 1000))) == 1 else { return .failure(Failure(message: "\(url): timed out sending")) }
            let count = request[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return .failure(Failure(message: "\(url): \(String(cString: strerror(errno)))")) }
            sent += count
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !answer.contains(UInt8(ascii: "\n")) && answer.count < 8192 {
            var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, max(1, Int32((end - .now).inSeconds * 1000))) == 1 else { return .failure(Failure(message: "\(url): no answer within \(Int(timeout.rounded(.up)))s")) }
            let count = recv(socket, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            answer += buffer[0..<count]
        }
        let statusLine = String(decoding: answer.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]) else {
            return .failure(Failure(message: "\(url): not an HTTP answer (\(statusLine.prefix(60)))"))
        }
        return .success(code)
    }

    private static func curlStatus(url: String, timeout: Double) -> Int? {
        guard let process = try? GroupProcess(argv: ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", String(Int(timeout.rounded(.up))), url],
                                              environment: ["PATH": GroupProcess.minimalPath], workdir: nil, stdout: .separate) else { return nil }
        let result = process.wait(timeout: timeout + 2)
        return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).flatMap { $0 == 0 ? nil : $0 }
    }
}
