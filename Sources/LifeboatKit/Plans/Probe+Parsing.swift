extension PlanStep {
    static let waitKeys = ["http", "tcp", "command", "status", "interval"]
    static let waitExample = #"wait: { http: "http://127.0.0.1:8080/health", status: 200, interval: 2s }"#

    /// `wait:`: exactly one probe (`http`, `tcp` or `command`), `status` with `http` only, and the
    /// `interval` between tries (1s unless set).
    static func waitAction(_ node: ConfigNode) throws -> StepAction {
        let mapping = try node.mapping("a mapping with http, tcp or command", example: waitExample, validKeys: waitKeys)
        let probes = ["http", "tcp", "command"]
        let found = probes.filter { mapping[$0] != nil }
        guard let kind = found.first else {
            throw node.error("missing the probe: give one of http, tcp or command (e.g. \(waitExample))", line: node.line)
        }
        guard found.count == 1 else {
            throw node.error("a wait step checks one thing, and this one has \(listed(found)); keep one, "
                + "or split it into several wait steps", line: node.line)
        }
        let statusNode = mapping.present("status")
        if let statusNode, kind != "http" {
            throw statusNode.error("status applies only to http probes; a \(kind) probe succeeds when "
                + (kind == "tcp" ? "the connection opens" : "the command exits 0"), line: statusNode.keyLine)
        }
        let probeNode = mapping[kind]!
        let probe: Probe
        switch kind {
        case "http":
            let status = try statusNode?.int("an HTTP status from 100 to 599", example: "status: 200", in: 100...599)
            probe = .http(url: try url(probeNode), status: status)
        case "tcp":
            let (host, port) = try tcpAddress(probeNode)
            probe = .tcp(host: host, port: port)
        default:
            probe = .command(try CommandSpec.parse(probeNode, key: "command"))
        }
        let interval = try mapping.present("interval")?.positiveDuration(example: "interval: 2s") ?? .seconds(1)
        return .wait(probe, interval: interval)
    }

    private static func url(_ node: ConfigNode) throws -> String {
        let example = #"http: "http://127.0.0.1:8080/health""#
        let url = try node.string("a URL", example: example)
        let scheme = ["http://", "https://"].first { url.lowercased().hasPrefix($0) }
        guard let scheme, url.count > scheme.count, !url.dropFirst(scheme.count).hasPrefix("/") else {
            throw node.error("\"\(url)\" is not an http:// or https:// URL with a host (e.g. \(example))")
        }
        return url
    }

    /// `host:port`, with an IPv6 address in brackets (`[::1]:5432`); the host may be a placeholder.
    private static func tcpAddress(_ node: ConfigNode) throws -> (String, Int) {
        let text = try node.writtenText("host:port", example: #"tcp: "127.0.0.1:5432""#)
        func invalid(_ problem: String) -> LifeboatError {
            node.error("invalid address \"\(text)\": \(problem); write host:port "
                + #"(e.g. tcp: "127.0.0.1:5432", or tcp: "[::1]:5432" for IPv6)"#)
        }
        let host: Substring, port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw invalid("an IPv6 address in brackets must be followed by :port")
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw invalid("the port is missing") }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            if host.contains(":") { throw invalid("put an IPv6 address in brackets") }
        }
        guard !host.trimmingWhitespace.isEmpty else { throw invalid("the host is missing") }
        guard let number = Int(port) else { throw invalid("the port \"\(port)\" is not a number") }
        guard (1...65535).contains(number) else { throw invalid("port \(number) is out of range 1-65535") }
        return (String(host), number)
    }
}
