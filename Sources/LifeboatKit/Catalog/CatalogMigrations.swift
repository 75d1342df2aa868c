import GRDB

/// The catalog's schema, as frozen migrations in string SQL.
///
/// A shipped migration is never edited: a schema change is a new migration appended to ``migrator``
/// (`v2`, `v3`...). GRDB records the applied identifiers in `grdb_migrations`; an identifier this
/// version does not know means a newer Lifeboat wrote the file, and opening it is refused.
enum CatalogMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in try db.execute(sql: v1) }
        migrator.registerMigration("v2") { db in try db.execute(sql: v2) }
        migrator.registerMigration("v3") { db in try db.execute(sql: v3) }
        migrator.registerMigration("v4") { db in try db.execute(sql: v4) }
        migrator.registerMigration("v5") { db in try db.execute(sql: v5) }
        migrator.registerMigration("v6") { db in try db.execute(sql: v6) }
        return migrator
    }

    /// The first schema: the repository, its backups with their objects, and the history of job runs.
    static let v1 = """
        CREATE TABLE repository (
            id TEXT PRIMARY KEY,
            location TEXT,
            format_version INT,
            recorded_at TEXT
        );
        CREATE TABLE backups (
            id TEXT PRIMARY KEY,
            service TEXT NOT NULL,
            kind TEXT,
            parent TEXT,
            tier TEXT,
            host TEXT,
            started TEXT,
            finished TEXT,
            status TEXT,
            files INT,
            directories INT,
            symlinks INT,
            hardlinks INT,
            total_bytes INT,
            files_stored INT,
            bytes_read INT,
            bytes_stored INT,
            inconsistent_files INT,
            skipped INT,
            sources_json TEXT,
            record_json TEXT NOT NULL
        );
        CREATE INDEX backups_service_finished ON backups(service, finished);
        CREATE TABLE backup_objects (
            backup_id TEXT REFERENCES backups(id) ON DELETE CASCADE,
            name TEXT,
            size INT,
            sha256 TEXT,
            PRIMARY KEY (backup_id, name)
        );
        CREATE TABLE job_runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            service TEXT,
            backup_id TEXT,
            started TEXT NOT NULL,
            finished TEXT,
            outcome TEXT NOT NULL,
            bytes INT,
            error TEXT,
            details_json TEXT
        );
        CREATE INDEX job_runs_service_started ON job_runs(service, started);
        """

    /// Refuses files that are not Lifeboat catalogs (`LifeboatError`) or come from a newer Lifeboat,
    /// then applies the missing migrations; SQLite errors are thrown as they are.
    static func apply(to queue: DatabaseQueue, path: String) throws {
        let migrator = migrator
        // In a write transaction, so that another process cannot change the schema while we look.
        try queue.write { db in try checkCompatible(db, migrator: migrator, path: path) }
        do {
            try migrator.migrate(queue)
        } catch {
            // Another process may have applied the same migration between our check and our write
            // (GRDB reads the applied list outside the migration's transaction): fine if now complete.
            if (try? queue.read({ try migrator.hasCompletedMigrations($0) })) == true { return }
            throw error
        }
    }

    private static func checkCompatible(_ db: Database, migrator: DatabaseMigrator, path: String) throws {
        let applied = try migrator.appliedIdentifiers(db)
        let known = Set(migrator.migrations)
        if applied.isEmpty {
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master
                WHERE name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
                """)
            if !tables.isEmpty { throw CatalogError.notACatalog(path: path) }
            return
        }
        let unknown = applied.subtracting(known)
        guard !unknown.isEmpty else { return }
        guard let first = migrator.migrations.first, applied.contains(first) else {
            throw CatalogError.notACatalog(path: path)
        }
        throw CatalogError.newerSchema(path: path, unknown: unknown)
    }

    /// Restore verifications, one row per `records/verifications/<id>.json` of the repository.
    static let v2 = """
        CREATE TABLE verifications (
            id TEXT PRIMARY KEY,
            service TEXT NOT NULL,
            backup_id TEXT NOT NULL,
            started TEXT NOT NULL,
            outcome TEXT NOT NULL,
            isolation TEXT,
            rto_measured REAL,
            rto_target REAL,
            record_json TEXT NOT NULL
        );
        CREATE INDEX verifications_by_service ON verifications(service, started);
        """

    /// Plan runs with their steps (for history and duration estimates), and drill results; one row
    /// per `records/plan-runs/<id>.json` and `records/drills/<id>.json` of the repository.
    static let v3 = """
        CREATE TABLE plan_runs (
            id TEXT PRIMARY KEY,
            plan TEXT NOT NULL,
            started TEXT NOT NULL,
            finished TEXT,
            outcome TEXT NOT NULL,
            elapsed REAL,
            rto_target REAL,
            rto_met INT,
            drill_id TEXT,
            record_json TEXT NOT NULL
        );
        CREATE INDEX plan_runs_by_plan ON plan_runs(plan, started);
        CREATE TABLE plan_steps (
            run_id TEXT REFERENCES plan_runs(id) ON DELETE CASCADE,
            step_id TEXT NOT NULL,
            kind TEXT,
            state TEXT NOT NULL,
            attempts INT,
            seconds REAL,
            started TEXT,
            PRIMARY KEY (run_id, step_id)
        );
        CREATE TABLE drills (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            plan TEXT,
            started TEXT NOT NULL,
            disaster_at TEXT,
            finished TEXT,
            outcome TEXT NOT NULL,
            rto_achieved REAL,
            rto_target REAL,
            rpo_achieved REAL,
            rpo_target REAL,
            record_json TEXT NOT NULL
        );
        CREATE INDEX drills_by_name ON drills(name, started);
        """

    /// The scheduler asks for a service's latest job runs of one kind (its last verify attempts)
    /// among a year of backup runs: without this index that read is linear in the history.
    static let v4 = """
        CREATE INDEX job_runs_service_kind_started ON job_runs(service, kind, started);
        """

    /// A service's newest backups (of a kind) and the report's failed jobs, read without walking a
    /// year of history.
    static let v5 = """
        CREATE INDEX backups_service_id ON backups(service, id);
        CREATE INDEX backups_service_kind_id ON backups(service, kind, id);
        CREATE INDEX job_runs_outcome_started ON job_runs(outcome, started);
        """

    /// The stamp of each service folder (`ObjectStore.folderStamp`) when the catalog last matched it
    /// exactly: while it is unchanged, the folder need not be listed again.
    static let v6 = """
        CREATE TABLE folder_marks (
            service TEXT PRIMARY KEY,
            stamp TEXT NOT NULL
        );
        """
}
