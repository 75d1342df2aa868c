/// A thing to protect, with the tier that sets its targets and schedules.
///
/// In `lifeboat.yaml` a service may also set any tier field beside `tier:` (`rpo: 2m`,
/// `timezone: Europe/Berlin`); those are kept in `overrides`, and `LifeboatConfig.tier(for:)` gives
/// the tier with them applied.
public struct Service: Sendable, Hashable {
    /// Unique within a configuration; matches `[A-Za-z0-9][A-Za-z0-9._-]*` since it names folders.
    public var name: String
    /// The name of one of the configuration's tiers.
    public var tier: String
    public var source: Source
    /// Application checks run against a verified restore, in file order; empty when none are
    /// configured.
    ///
    /// In `lifeboat.yaml` each item of `checks:` is either a string — a shell command for `files` and
    /// `command` sources, a SQL query for `sqlite` and `postgres` ones — or a mapping:
    /// `{ run: "test -s $LIFEBOAT_TARGET/srv/app/index.html", timeout: 30s, name: index page }` for a
    /// command (any source), `{ sql: "SELECT count(*) FROM orders", expect: "42", timeout: 10s,
    /// name: orders }` for a query (`sqlite` and `postgres` sources). Only `run` or `sql` is required; `timeout`
    /// defaults to `CheckSpec.defaultTimeout` and `name` to the command or query.
    public var checks: [CheckSpec]
    /// The tier fields this service sets for itself; empty when it takes its tier as it is.
    public var overrides: TierOverrides

    public init(
        name: String, tier: String = Tier.defaultName, source: Source, checks: [CheckSpec] = [],
        overrides: TierOverrides = TierOverrides()
    ) {
        self.name = name
        self.tier = tier
        self.source = source
        self.checks = checks
        self.overrides = overrides
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
