import Foundation

extension RestoreStep {
    static let keys = ["service", "backup", "at", "target", "mode"]
    static let example = #"restore: { service: app-files, backup: latest, target: "{{target}}", mode: force }"#

    /// `restore:`: `service` (one of the plan's) and `target` (absolute, or starting with a
    /// placeholder) are required; `backup` (`latest` or an id) and `at` (an ISO 8601 time) exclude
    /// each other; `mode` is `force` unless set.
    static func parse(_ node: ConfigNode, context: PlanStep.Context) throws -> RestoreStep {
        let mapping = try node.mapping("a mapping with service and target", example: example, validKeys: keys)
        let service = try context.service(mapping.required("service", example: "service: app-files"))
        var point = Point.latest
        if let backup = mapping.present("backup") {
            let id = try backup.string("latest or a backup id", example: "backup: latest")
            guard !id.trimmingWhitespace.isEmpty else { throw backup.error("the backup id is empty (e.g. backup: latest)") }
            point = id == "latest" ? .latest : .id(id)
        }
        if let at = mapping.present("at") {
            if let backup = mapping.present("backup") {
                throw at.error("at and backup exclude each other: backup names one backup (\(backup.node.scalar?.string ?? "")), "
                    + "at picks the newest one finished by a time; keep one", line: at.keyLine)
            }
            point = .at(try time(at))
        }
        let targetNode = try mapping.required("target", example: #"target: "{{target}}""#)
        let target = try targetNode.string("a folder path", example: #"target: "{{target}}""#)
        guard target.hasPrefix("/") || Placeholder.leadingName(target) != nil else {
            throw targetNode.error("the target must be an absolute path, or start with a placeholder "
                + #"(e.g. target: /srv/restore, or target: "{{target}}")"#)
        }
        var mode = Mode.force
        if let modeNode = mapping.present("mode") {
            let names = ["force", "exact", "empty"]
            let name = try modeNode.string("a restore mode (\(names.joined(separator: ", ")))", example: "mode: force")
            guard let parsed = Mode(rawValue: name) else {
                throw modeNode.error("unknown mode \"\(name)\"; \(ConfigNode.hint(name, among: names))"
                    + "(force: write over what is there, exact: also remove extras, empty: the target must be empty)")
            }
            mode = parsed
        }
        return RestoreStep(service: service, point: point, target: target, mode: mode)
    }

    /// An ISO 8601 time with its zone (`2024-05-01T03:00:00Z`, `2024-05-01T05:00:00+02:00`).
    private static func time(_ node: ConfigNode) throws -> Date {
        let example = #"at: "2024-05-01T03:00:00Z""#
        let text = try node.writtenText("an ISO 8601 time", example: example)
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        throw node.error("invalid time \"\(text)\": write an ISO 8601 time with its zone (e.g. \(example))")
    }
}

extension VerifyStep {
    static let example = "verify: app-files or verify: { service: app-files, backup: <id> }"

    /// `verify:`: a service name, or a mapping with `service` and an optional `backup` id.
    static func parse(_ node: ConfigNode, context: PlanStep.Context) throws -> VerifyStep {
        guard case .mapping = node.node else { return VerifyStep(service: try context.service(node)) }
        let mapping = try node.mapping("a service name, or a mapping with service", example: example,
                                       validKeys: ["service", "backup"])
        let service = try context.service(mapping.required("service", example: "service: app-files"))
        let backup = try mapping.present("backup").map { node -> String in
            let id = try node.string("a backup id", example: example)
            guard !id.trimmingWhitespace.isEmpty else { throw node.error("the backup id is empty (e.g. \(example))") }
            return id
        }
        return VerifyStep(service: service, backup: backup)
    }
}

extension PlanStep.Context {
    /// A service name that must be one of the plan's `services`.
    func service(_ node: ConfigNode) throws -> String {
        let name = try node.string("a service name", example: "service: app-files")
        guard services.contains(name) else {
            let fix = configuredServices.contains(name) ? "add it to the plan's services to recover it here"
                : "name one of the plan's services"
            throw node.error("service \"\(name)\" is not one of the plan's services; \(ConfigNode.hint(name, among: services))"
                + "(services: \(services.joined(separator: ", "))); \(fix)")
        }
        return name
    }
}
