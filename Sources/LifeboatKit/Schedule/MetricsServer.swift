import Foundation
import Glibc

/// A minimal HTTP server for `GET /metrics` on a loopback address: the daemon's Prometheus endpoint.
/// It refuses any address outside 127.0.0.0/8 and ::1, so the metrics never leave the host.
public final class MetricsServer: @unchecked Sendable {
    private let fd: Int32
    public let port: UInt16

    /// Binds `host:port` (port 0 picks a free one, see `port`); `render` produces the page per request.
    public init(listen address: String, render: @escaping @Sendable () -> String) throws {
        let parts = address.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let requested = UInt16(parts[1]) else {
            throw LifeboatError(.usage, "--metrics-listen \(address) is not HOST:PORT (e.g. 127.0.0.1:9187)")
        }
        let host = parts[0] == "localhost" ? "127.0.0.1" : String(parts[0])
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = requested.bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1, host.hasPrefix("127.") else {
            throw LifeboatError(.usage, "--metrics-listen must be a loopback address (127.0.0.1:PORT); got \(address)")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LifeboatError(.io, "cannot open a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw LifeboatError(.io, "cannot listen on \(address): \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = UInt16(bigEndian: actual.sin_port)
        let listener = fd
        Thread {
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return  // closed
                }
                Self.serve(client, render: render)
            }
        }.start()
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    private static func serve(_ client: Int32, render: () -> String) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(client, &buffer, buffer.count)
        guard n > 0 else { return }
        let request = String(decoding: buffer[0..<n], as: UTF8.self)
        let line = request.split(separator: "\r\n").first.map(String.init) ?? ""
        let (status, body) = line.hasPrefix("GET /metrics ") || line == "GET /metrics"
            ? ("200 OK", render()) : ("404 Not Found", "only /metrics is served here\n")
        let response = "HTTP/1.1 \(status)\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        _ = response.withCString { write(client, $0, strlen($0)) }
    }
}
