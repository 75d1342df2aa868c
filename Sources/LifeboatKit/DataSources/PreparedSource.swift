import Foundation
import Glibc

extension Source {
    /// The absolute paths a backup of this source records (and a restore writes).
    public var paths: [String] {
        switch self {
        case .files(let paths, _): paths
        case .sqlite(let path): [path]
        case .command(_, let output, _): [output]
        case .postgres(_, let dataDirectory, _, _): [dataDirectory]
        }
    }
}

/// What a source's backup reads: the files themselves, or a private scratch folder holding a consistent
/// SQLite snapshot, a command's captured output or a PostgreSQL base backup, removed once the backup is done.
struct PreparedSource {
    /// Recorded path → where its content is read from.
    let readFrom: [String: String]
    private let scratch: String?

    init(_ source: Source) throws {
        switch source {
        case .files:
            readFrom = [:]
            scratch = nil
        case .sqlite(let path):
            let folder = try makeScratchFolder(prefix: "lifeboat-source")
            scratch = folder
            do {
                readFrom = [path: try SQLiteSnapshot.take(of: path, to: "\(folder)/\((path as NSString).lastPathComponent)")]
            } catch {
                removeScratchFolder(folder)
                throw error
            }
        case .command(let arguments, let output, let timeout):
            let folder = try makeScratchFolder(prefix: "lifeboat-source")
            scratch = folder
            let capture = "\(folder)/\((output as NSString).lastPathComponent)"
            do {
                try CommandCapture.run(arguments, into: capture, timeout: timeout.map { TimeInterval($0.seconds) })
            } catch {
                removeScratchFolder(folder)
                throw error
            }
            chmod(capture, 0o600)  // a dump may hold secrets: only its owner may read it, restored too
            readFrom = [output: capture]
        case .postgres(let dsn, let dataDirectory, let passwordFile, let passwordEnvironment):
            let folder = try makeScratchFolder(prefix: "lifeboat-source")
            scratch = folder
            do {
                readFrom = [dataDirectory: try PostgresBaseBackup.take(dsn: dsn, dataDirectory: dataDirectory, passwordFile: passwordFile,
                                                                      passwordEnvironment: passwordEnvironment, into: folder)]
            } catch {
                removeScratchFolder(folder)
                throw error
            }
        }
    }

    func remove() {
        if let scratch { removeScratchFolder(scratch) }
    }
}
