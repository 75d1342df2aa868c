import Foundation
import Glibc

/// One distinct version of a path: the content (or link target, or type) it had in a run of recovery
/// points, with the first and last point that held it.
public struct PathVersion: Sendable, Encodable, Equatable {
    public var path: String
    public var type: String
    public var size: Int64
    public var mtime: String
    public var sha256: String?
    public var target: String?
    public var firstBackup: String
    public var firstBackupStarted: String
    public var lastBackup: String
    public var lastBackupStarted: String
    /// How many of the searched recovery points hold this version.
    public var backups: Int
}

extension BackupBrowser {
    /// `find`: every path matching `pattern` in every recovery point of `service` (those that started at
    /// or after `since`), grouped by path and then by distinct content, oldest first. A pattern without
    /// `/` matches names; one with `/` matches whole paths (`/srv/app/*.conf`); `*`, `?` and `[…]` as in
    /// the shell, `*` also across `/`.
    public func find(service: String, pattern: String, since: Date?) throws -> [PathVersion] {
        let records = repository.listing(service: service).records.filter { record in
            since.map { (record.startedDate ?? .distantPast) >= $0 } ?? true
        }
        guard !records.isEmpty else {
            throw LifeboatError(.usage, "service \(service) has no complete backup\(since.map { " started at or after \(Timestamp.format($0))" } ?? "") to search; `lifeboat backups \(service)` lists them")
        }
        let byName = !pattern.contains("/")
        var versions: [String: [PathVersion]] = [:]
        try repository.reading(service: service, purpose: "find") {
            for record in records {
                try entries(of: record) { entry in
                    let path = "/" + entry.path.description
                    let subject = byName ? String(path[path.index(after: path.lastIndex(of: "/")!)...]) : path
                    guard fnmatch(pattern, subject, 0) == 0 else { return true }
                    let found = BrowseEntry(entry)
                    var list = versions[path, default: []]
                    if let index = list.lastIndex(where: { $0.sameContent(as: found) }), index == list.count - 1 {
                        list[index].lastBackup = record.id
                        list[index].lastBackupStarted = record.started
                        list[index].backups += 1
                    } else {
                        list.append(PathVersion(path: path, type: found.type, size: found.size, mtime: found.mtime, sha256: found.sha256,
                                                target: found.target, firstBackup: record.id, firstBackupStarted: record.started,
                                                lastBackup: record.id, lastBackupStarted: record.started, backups: 1))
                    }
                    versions[path] = list
                    return true
                }
            }
        }
        return versions.keys.sorted { TreePath(absolute: $0) < TreePath(absolute: $1) }.flatMap { versions[$0]! }
    }
}

extension PathVersion {
    /// The same content: type, SHA-256 (files) and link target; times and modes may differ.
    func sameContent(as entry: BrowseEntry) -> Bool {
        type == entry.type && sha256 == entry.sha256 && target == entry.target && size == entry.size
    }
}
