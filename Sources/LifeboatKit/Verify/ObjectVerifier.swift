import Foundation
import LifeboatNative

/// A damaged, missing or unreadable object, and what it breaks.
public struct ObjectProblem: Sendable, Codable, Equatable {
    public var service: String
    public var backup: String
    public var object: String
    /// `missing`, `size`, `sha256`, `record` (an unreadable backup.json), or `gone` (a whole backup
    /// that later backups need is not in the repository).
    public var problem: String
    public var detail: String
    /// Backups that cannot be fully restored because of this object.
    public var affectedBackups: [String]
    /// Up to 20 affected files (tree paths); `affectedFileCount` has the number of distinct paths
    /// (-1: all files of `backup`, plus the listed files of later backups).
    public var affectedFiles: [String]
    public var affectedFileCount: Int
}

public struct ObjectVerification: Sendable, Codable {
    public var backupsChecked = 0
    public var objectsChecked = 0
    public var bytesChecked: Int64 = 0
    public var problems: [ObjectProblem] = []
}

/// `verify --objects`: re-hashes every object of every backup against `backup.json`.
public struct ObjectVerifier: Sendable {
    public let repository: Repository

    public init(repository: Repository) { self.repository = repository }

    /// Each service is checked under a reader lease (`Repository.reading`), so that no prune removes
    /// its backups mid-way (that would read like missing objects).
    public func verify(services: [String], progress: (Int64) -> Void = { _ in }) -> ObjectVerification {
        var result = ObjectVerification()
        for service in services {
            do {
                try repository.reading(service: service, purpose: "verify-objects") { verify(service: service, progress: progress, into: &result) }
            } catch {
                // Only waiting for a prune fails here: check what is there, as without a lease.
                verify(service: service, progress: progress, into: &result)
            }
        }
        return result
    }

    private func verify(service: String, progress: (Int64) -> Void, into result: inout ObjectVerification) {
        let listing = repository.listing(service: service)
        var found = listing.damaged.map {
            ObjectProblem(service: service, backup: $0.id, object: "backup.json", problem: "record",
                          detail: $0.message, affectedBackups: [], affectedFiles: [], affectedFileCount: 0)
        }
        for record in listing.records {
            result.backupsChecked += 1
            for object in record.objects {
                result.objectsChecked += 1
                if let problem = check(object, of: record, progress: progress, bytes: &result.bytesChecked) {
                    found.append(problem)
                }
            }
        }
        found += goneBackups(listing)
        result.problems += found.map { impact(of: $0, records: listing.records, damaged: found) }
            .map { problem in
                var problem = problem
                if problem.problem == "gone" { problem.affectedBackups.removeAll { $0 == problem.backup } }
                return problem
            }
    }

    /// Backups that later ones need (as parent, or for the archives they refer to) but that are not in
    /// the repository at all: every file of theirs that a later backup shares cannot be restored.
    private func goneBackups(_ listing: BackupListing) -> [ObjectProblem] {
        var needed: [String: String] = [:]
        for record in listing.records {
            for id in listing.goneDependencies(of: record) where needed[id] == nil { needed[id] = record.id }
        }
        return needed.keys.sorted().map { id in
            ObjectProblem(service: listing.records.first?.service ?? "", backup: id, object: "backup.json", problem: "gone",
                          detail: "backup \(id) is not in the repository, but backup \(needed[id]!) builds on it",
                          affectedBackups: [], affectedFiles: [], affectedFileCount: 0)
        }
    }

    /// Checks one object; a problem is reported only if a second read finds it too. Reading is safe
    /// to repeat, and a read that failed or came back garbled on its way from the store (a network
    /// hiccup, a flaky controller) must not be reported as damage the repository does not have.
    private func check(_ object: BackupRecord.Object, of record: BackupRecord, progress: (Int64) -> Void, bytes: inout Int64) -> ObjectProblem? {
        var counted: Int64 = 0
        let first = checkOnce(object, of: record, bytes: &counted)
        guard let first, first.problem != "missing" else {
            bytes += counted
            progress(bytes)
            return first
        }
        var again: Int64 = 0
        let second = checkOnce(object, of: record, bytes: &again)
        bytes += again
        progress(bytes)
        return second
    }

    private func checkOnce(_ object: BackupRecord.Object, of record: BackupRecord, bytes: inout Int64) -> ObjectProblem? {
        let key = repository.objectKey(service: record.service, id: record.id, name: object.name)
        func problem(_ kind: String, _ detail: String) -> ObjectProblem {
            ObjectProblem(service: record.service, backup: record.id, object: object.name, problem: kind, detail: detail,
                          affectedBackups: [], affectedFiles: [], affectedFileCount: 0)
        }
        do {
            guard let source = try repository.store.open(key) else { return problem("missing", "the object file is missing") }
            let digest = try source.drainAndDigest()
            bytes += source.bytesRead
            if source.bytesRead != object.size {
                return problem("size", "it holds \(source.bytesRead) bytes, backup.json says \(object.size) (truncated or appended to)")
            }
            if digest.hex != object.sha256 {
                return problem("sha256", "its SHA-256 is \(digest.hex), backup.json says \(object.sha256) (bytes changed)")
            }
        } catch {
            return problem("unreadable", "\(error)")
        }
        return nil
    }

    /// Fills in which backups and files a problem breaks. A damaged manifest breaks its own backup
    /// entirely. A damaged data archive breaks every file, in any backup, whose content it holds. A
    /// damaged `backup.json` breaks its own backup and every file of later backups that refers to any
    /// of its archives (their restore cannot check those archives without it).
    private func impact(of problem: ObjectProblem, records: [BackupRecord], damaged: [ObjectProblem]) -> ObjectProblem {
        var problem = problem
        if problem.object == ManifestFile.objectName {
            problem.affectedBackups = [problem.backup]
            problem.affectedFileCount = -1
            return problem
        }
        let wholeBackup = problem.object == "backup.json"
        let brokenManifests = Set(damaged.filter { $0.object == ManifestFile.objectName }.map(\.backup))
        var files = Set<TreePath>()
        for record in records where record.id >= problem.backup && !brokenManifests.contains(record.id) {
            guard let manifest = record.manifestObject else { continue }
            let key = repository.objectKey(service: record.service, id: record.id, name: manifest.name)
            guard let reader = try? repository.manifestReader(key) else { continue }
            var hit = false
            while let entry = try? reader.next() {
                guard entry.pieces.contains(where: { $0.ref == problem.backup && (wholeBackup || $0.archive == problem.object) }) else { continue }
                hit = true
                if files.insert(entry.path).inserted && problem.affectedFiles.count < 20 {
                    problem.affectedFiles.append(entry.path.description)
                }
            }
            if hit { problem.affectedBackups.append(record.id) }
        }
        problem.affectedFileCount = files.count
        if wholeBackup && problem.problem != "gone" {
            problem.affectedBackups.insert(problem.backup, at: 0)
            problem.affectedFileCount = -1
        } else if problem.affectedBackups.isEmpty {
            problem.affectedBackups = [problem.backup]
        }
        return problem
    }
}
