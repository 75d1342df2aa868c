import Foundation
import Glibc

/// A consistent physical copy of a running PostgreSQL cluster, taken with `pg_basebackup` (plain
/// format, the WAL needed to make it consistent fetched into it): restored, it is a data directory that
/// `pg_ctl start` accepts (it recovers to the end of the backup).
enum PostgresBaseBackup {
    /// How long `pg_basebackup` may run.
    static let timeout: TimeInterval = 24 * 3600

    /// Copies the cluster `dsn` reaches into `<folder>/data` and returns that path. `folder` is
    /// handed to the cluster's owner first when Lifeboat runs as root, so the copy keeps its ownership.
    static func take(dsn: String, dataDirectory: String, passwordFile: String?, passwordEnvironment: String?,
                     into folder: String) throws -> String {
        let password = try readPassword(file: passwordFile, environment: passwordEnvironment)
        let bindir = try PostgresTools.binDirectory()
        let owner = PostgresTools.clusterOwner(of: dataDirectory)
        if owner.uid != geteuid() {
            guard chown(folder, owner.uid, owner.gid) == 0 else {
                throw LifeboatError(.io, "cannot hand the scratch folder \(folder) to uid \(owner.uid): \(String(cString: strerror(errno)))")
            }
        }
        let destination = "\(folder)/data"
        // The password reaches pg_basebackup through its environment only: never its arguments.
        var extra: [String: String] = [:]
        if let password { extra["PGPASSWORD"] = password }
        let argv = PostgresTools.asUser(owner, ["\(bindir)/pg_basebackup", "-D", destination, "-Fp", "-X", "fetch",
                                                "--checkpoint=fast", "--no-password", "-d", dsn])
        let result = ChildProcess.run(argv, environment: PostgresTools.environment(extra, home: folder), directory: folder,
                                      timeout: timeout)
        guard result.succeeded else {
            var message = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            if let password, !password.isEmpty { message = message.replacingOccurrences(of: password, with: "***") }
            let detail = message.isEmpty ? "" : ": \(message.suffix(2000))"
            let reason = result.killedByTimeout ? "ran longer than \(Int(timeout))s and was killed"
                : result.signaled ? "was killed by signal \(result.status)" : "exited with status \(result.status)"
            throw LifeboatError(.io, "pg_basebackup \(reason); nothing was backed up\(detail)")
        }
        // A copy of a running cluster never carries a pid file, but a stray one would stop a restore from starting.
        unlink("\(destination)/postmaster.pid")
        return destination
    }

    /// The password from `file` (its first line) or the environment variable `environment`; nil when neither is set.
    static func readPassword(file: String?, environment: String?) throws -> String? {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw LifeboatError(.configuration, "cannot read the password file \(file) (password_file of the postgres source): "
                    + "\(String(cString: strerror(errno)))")
            }
            let text = String(decoding: data, as: UTF8.self)
            return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        }
        if let environment {
            guard let value = ProcessInfo.processInfo.environment[environment] else {
                throw LifeboatError(.configuration, "the environment variable \(environment) (password_env of the postgres source) is not set")
            }
            return value
        }
        return nil
    }
}
