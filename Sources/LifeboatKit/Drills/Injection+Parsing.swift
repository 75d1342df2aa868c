import Glibc

extension Injection {
    static let kinds = ["delete", "corrupt", "stop", "run"]
    static let keys = kinds + ["bytes", "signal"]
    static let example = "{ delete: srv/app/data }"
    static let bytesRange = 1...1_048_576
    static let defaultBytes = 4096

    /// The signals `stop` may send, by name.
    static let signals: KeyValuePairs<String, Int32> = [
        "TERM": SIGTERM, "KILL": SIGKILL, "INT": SIGINT, "HUP": SIGHUP, "QUIT": SIGQUIT, "USR1": SIGUSR1, "USR2": SIGUSR2,
    ]

    /// One item of `inject:`: exactly one of `delete`, `corrupt` (with `bytes`), `stop` (with
    /// `signal`) and `run`. Paths are relative to the drill target and cannot leave it.
    static func parse(_ item: ConfigNode) throws -> Injection {
        let mapping = try item.mapping("an injection: a mapping with one of \(kinds.joined(separator: ", "))",
                                       example: example, validKeys: keys)
        let found = kinds.filter { mapping[$0] != nil }
        guard let kind = found.first else {
            throw item.error("missing the injection: give one of \(kinds.joined(separator: ", ")) (e.g. \(example))",
                             line: item.line)
        }
        guard found.count == 1 else {
            throw item.error("an injection does one thing, and this one has \(PlanStep.listed(found)); "
                + "write one item for each", line: item.line)
        }
        for (key, owner) in [("bytes", "corrupt"), ("signal", "stop")] where kind != owner {
            if let node = mapping[key] {
                throw node.error("\(key) applies only to \(owner); this item is a \(kind)", line: node.keyLine)
            }
        }
        let node = mapping[kind]!
        switch kind {
        case "delete":
            return .delete(path: try targetPath(node, example: "delete: srv/app/data"))
        case "corrupt":
            let bytes = try mapping.present("bytes")?.int(
                "a number of bytes from 1 to \(bytesRange.upperBound)", example: "bytes: 4096", in: bytesRange) ?? defaultBytes
            return .corrupt(path: try targetPath(node, example: "corrupt: srv/app/app.db"), bytes: bytes)
        case "stop":
            let signal = try mapping.present("signal").map(signalNumber) ?? SIGTERM
            return .stop(pidFile: try targetPath(node, example: "stop: run/app.pid"), signal: signal)
        default:
            return .command(try CommandSpec.parse(node, key: "run"))
        }
    }

    /// A path inside the drill target, normalised to a relative one (no leading `/`, `.`, empty parts or
    /// trailing `/`): `/srv/app/db` and `srv/app/db` both name `$LIFEBOAT_TARGET/srv/app/db`, so a
    /// service's own path (`{{app.path}}`) can be written as is. Never with `..`, never the target itself.
    private static func targetPath(_ node: ConfigNode, example: String) throws -> String {
        let written = try node.string("a path inside the drill target", example: example)
        guard !written.trimmingWhitespace.isEmpty else { throw node.error("the path is empty (e.g. \(example))") }
        let parts = ConfigPath.components(of: written).filter { $0 != "." }
        guard !parts.contains("..") else {
            throw node.error("\"..\" is refused: an injection stays inside the drill target (e.g. \(example))")
        }
        guard !parts.isEmpty else {
            throw node.error("the path names the drill target itself; name a file or folder inside it (e.g. \(example))")
        }
        return parts.joined(separator: "/")
    }

    /// A signal by name (`TERM`, `SIGKILL`, `hup`).
    private static func signalNumber(_ node: ConfigNode) throws -> Int32 {
        let names = signals.map(\.key)
        let written = try node.string("a signal name (\(names.joined(separator: ", ")))", example: "signal: KILL")
        var name = written.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        guard let signal = signals.first(where: { $0.key == name })?.value else {
            throw node.error("unknown signal \"\(written)\"; \(ConfigNode.hint(name, among: names))"
                + "(signals: \(names.joined(separator: ", ")))")
        }
        return signal
    }
}
