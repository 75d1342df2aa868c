import LifeboatNative

/// One data archive of one backup: where a manifest entry's content lives.
public struct ArchiveRef: Hashable, Comparable, Sendable {
    public let backup: String
    public let archive: String

    public init(backup: String, archive: String) {
        self.backup = backup
        self.archive = archive
    }

    public static func < (a: ArchiveRef, b: ArchiveRef) -> Bool { (a.backup, a.archive) < (b.backup, b.archive) }
}

extension Repository {
    /// Why the archives `refs` of a service cannot all be read, or nil when each is listed in its
    /// backup's readable `backup.json` and present with the recorded size. It costs a few `stat`s and
    /// finds deleted and truncated objects; a changed byte is found only by re-hashing (`verify`).
    func unavailableArchive(service: String, refs: some Sequence<ArchiveRef>) -> (ref: ArchiveRef, problem: String)? {
        var records: [String: BackupRecord] = [:]
        for ref in refs.sorted() {
            if records[ref.backup] == nil {
                guard let owner = try? record(service: service, id: ref.backup) else {
                    return (ref, "services/\(service)/\(ref.backup)/backup.json, which describes \(ref.archive), is missing or damaged")
                }
                records[ref.backup] = owner
            }
            let label = "object services/\(service)/\(ref.backup)/\(ref.archive)"
            guard let listed = records[ref.backup]?.objects.first(where: { $0.name == ref.archive }) else {
                return (ref, "\(label) is not listed in its backup.json")
            }
            let key = objectKey(service: service, id: ref.backup, name: ref.archive)
            guard let size = (try? store.size(key)) ?? nil else { return (ref, "\(label) is missing") }
            if size != listed.size {
                return (ref, "\(label) is damaged: it has \(size) bytes, backup.json says \(listed.size) (truncated or appended to)")
            }
        }
        return nil
    }
}
