/// Where a service's data comes from, and what a restore of it gives back.
///
/// Every path is absolute and normalised (no trailing slash, no `.` or `..`): relative paths in
/// `lifeboat.yaml` are resolved against the file's folder.
public enum Source: Sendable, Hashable {
    /// Directory trees and files, restored at their absolute paths under the target. `paths` are never
    /// `/`, and none lies inside another; `exclude` holds glob patterns as written.
    case files(paths: [String], exclude: [String])
    /// A SQLite database file (`type: sqlite, path: ./data/app.db`); a restore gives back that one
    /// file at `path`. `path` is never `/`.
    case sqlite(path: String)
    /// The standard output of a command, such as a database dump
    /// (`type: command, run: [pg_dumpall, -h, /var/run/postgresql], output: /var/backups/pg.sql`).
    ///
    /// `arguments` is the program and its arguments, run directly, not through a shell: never empty,
    /// and the program is never empty. (Written as one string, `run` is split on whitespace and quotes
    /// are not interpreted; the list form carries arguments with spaces, and `[sh, -c, "…"]` a shell.)
    /// `output` is the absolute path of the file the captured output is restored to; `timeout` bounds
    /// a run, `nil` when none is set.
    case command(arguments: [String], output: String, timeout: LifeboatDuration?)
    /// A PostgreSQL cluster, copied with `pg_basebackup` (a consistent physical base backup with its WAL)
    /// (`type: postgres, dsn: "host=/var/run/postgresql user=postgres", data_directory: /var/lib/postgresql/15/main`).
    ///
    /// `dsn` is a libpq connection string without a password; `dataDirectory` is the absolute path the
    /// copy is recorded at and restored to (never `/`). The password, when one is needed, is read at
    /// backup time from `passwordFile` (an absolute path) or the environment variable named
    /// `passwordEnvironment`, and reaches `pg_basebackup` only through its environment.
    case postgres(dsn: String, dataDirectory: String, passwordFile: String?, passwordEnvironment: String?)

    /// The `type:` this source is written with in `lifeboat.yaml`.
    public var typeName: String {
        switch self {
        case .files: "files"
        case .sqlite: "sqlite"
        case .command: "command"
        case .postgres: "postgres"
        }
    }

    /// Source types this version can back up.
    public static let supportedTypes = ["files", "sqlite", "command", "postgres"]
    /// Source types that are planned and recognised, but rejected with a clear error for now.
    public static let plannedTypes: [String] = []
}
