extension DrillTarget {
    static let keys = ["from", "path", "setup", "teardown"]
    static let example = #"target: { from: backups, setup: "systemctl start app-staging" }"#

    /// `target:`: `from: backups` (the default) or `path:` of a prepared environment, with optional
    /// `setup` and `teardown` commands.
    static func parse(_ node: ConfigNode) throws -> DrillTarget {
        let mapping = try node.mapping("a mapping with from or path, setup and teardown", example: example,
                                       validKeys: keys)
        var origin = Origin.backups
        if let from = mapping.present("from") {
            let value = try from.string("backups", example: "from: backups")
            guard value == "backups" else {
                throw from.error("unknown origin \"\(value)\": the only one is backups (a scratch folder holding the "
                    + "latest backups); for a prepared environment, give path: instead")
            }
        }
        if let pathNode = mapping.present("path") {
            if let from = mapping["from"] {
                throw pathNode.error("from and path exclude each other (from at line \(from.keyLine ?? from.line)): "
                    + "the target is either restored from backups or a prepared environment; keep one",
                    line: pathNode.keyLine)
            }
            let example = "path: /srv/staging"
            let path = try pathNode.string("an absolute folder path", example: example)
            guard path.hasPrefix("/") else { throw pathNode.error("the path must be absolute (e.g. \(example))") }
            let normalised = ConfigPath.absolute(path, relativeTo: "/")
            guard normalised != "/" else {
                throw pathNode.error("the target cannot be \"/\": injections would hit this machine's own files; "
                    + "name the prepared environment's folder (e.g. \(example))")
            }
            origin = .prepared(path: normalised)
        }
        return DrillTarget(
            origin: origin,
            setup: try mapping.present("setup").map { try CommandSpec.parse($0, key: "setup") },
            teardown: try mapping.present("teardown").map { try CommandSpec.parse($0, key: "teardown") })
    }
}
