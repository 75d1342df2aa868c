/// A thing to protect, with the tier that sets its targets and schedules.
public struct Service: Sendable, Hashable {
    /// Unique within a configuration; matches `[A-Za-z0-9][A-Za-z0-9._-]*` since it names folders.
    public var name: String
    /// The name of one of the configuration's tiers.
    public var tier: String
    public var source: Source
    /// Application checks run against a verified restore, as written (their meaning depends on the
    /// source type); empty when none are configured.
    public var checks: [String]

    public init(name: String, tier: String = Tier.defaultName, source: Source, checks: [String] = []) {
        self.name = name
        self.tier = tier
        self.source = source
        self.checks = checks
    }

    /// Whether `name` can be a service (or tier) name: it becomes a folder name in the repository.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isNameCharacter(first), first != ".", first != "-",
              first != "_" else { return false }
        return name.unicodeScalars.allSatisfy(isNameCharacter)
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", ".", "_", "-": return true
        default: return false
        }
    }
}

/// Where a service's data comes from.
public enum Source: Sendable, Hashable {
    /// Directory trees and files. `paths` are absolute and normalised (no trailing slash, no `.` or
    /// `..`), never `/`, and none lies inside another; `exclude` holds glob patterns as written.
    case files(paths: [String], exclude: [String])

    /// The `type:` this source is written with in `lifeboat.yaml`.
    public var typeName: String {
        switch self {
        case .files: "files"
        }
    }

    /// Source types this version can back up.
    public static let supportedTypes = ["files"]
    /// Source types that are planned and recognised, but rejected with a clear error for now.
    public static let plannedTypes = ["sqlite", "postgres", "command"]
}
