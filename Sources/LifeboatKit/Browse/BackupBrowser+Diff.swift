import Foundation

/// One difference between two recovery points.
public struct PathChange: Sendable, Encodable, Equatable {
    public enum Kind: String, Sendable, Encodable {
        case added, removed, changed
    }

    public var path: String
    public var change: Kind
    /// For `changed`: what differs, among `type`, `content`, `target`, `mode`, `owner`, `mtime`.
    public var what: [String]
    /// Size in the older point (nil when added) and in the newer one (nil when removed).
    public var sizeBefore: Int64?
    public var sizeAfter: Int64?
}

/// Counts of a diff, for `--stat`.
public struct DiffStat: Sendable, Encodable, Equatable {
    public var added = 0
    public var removed = 0
    public var changed = 0
    public var contentChanged = 0
    public var metadataOnly = 0
    public var bytesAdded: Int64 = 0
    public var bytesRemoved: Int64 = 0
}

extension BackupBrowser {
    /// `diff`: walks the manifests of `older` and `newer` side by side (both in tree order) and gives
    /// each path added, removed or changed to `visit`; returns the counts.
    @discardableResult
    public func diff(service: String, older a: BackupSelector, newer b: BackupSelector, _ visit: (PathChange) throws -> Void) throws -> DiffStat {
        try repository.reading(service: service, purpose: "diff") {
            let older = try record(service: service, selector: a)
            let newer = try record(service: service, selector: b)
            var stat = DiffStat()
            // The older manifest is read in a second stream, advanced as the newer one goes.
            let pending = try OlderStream(browser: self, record: older)
            func report(_ change: PathChange) throws {
                switch change.change {
                case .added:
                    stat.added += 1
                    stat.bytesAdded += change.sizeAfter ?? 0
                case .removed:
                    stat.removed += 1
                    stat.bytesRemoved += change.sizeBefore ?? 0
                case .changed:
                    stat.changed += 1
                    if change.what.contains("content") || change.what.contains("type") || change.what.contains("target") {
                        stat.contentChanged += 1
                    } else {
                        stat.metadataOnly += 1
                    }
                }
                try visit(change)
            }
            try entries(of: newer) { entry in
                while let old = try pending.peek(), old.path < entry.path {
                    try report(PathChange(path: "/" + old.path.description, change: .removed, what: [], sizeBefore: old.size, sizeAfter: nil))
                    try pending.advance()
                }
                if let old = try pending.peek(), old.path == entry.path {
                    let what = Self.differences(old, entry)
                    if !what.isEmpty {
                        try report(PathChange(path: "/" + entry.path.description, change: .changed, what: what, sizeBefore: old.size, sizeAfter: entry.size))
                    }
                    try pending.advance()
                } else {
                    try report(PathChange(path: "/" + entry.path.description, change: .added, what: [], sizeBefore: nil, sizeAfter: entry.size))
                }
                return true
            }
            while let old = try pending.peek() {
                try report(PathChange(path: "/" + old.path.description, change: .removed, what: [], sizeBefore: old.size, sizeAfter: nil))
                try pending.advance()
            }
            try pending.finish()
            return stat
        }
    }

    static func differences(_ a: ManifestEntry, _ b: ManifestEntry) -> [String] {
        var what: [String] = []
        if a.kind != b.kind { return ["type"] }
        if a.sha256 != b.sha256 || a.size != b.size { what.append("content") }
        if a.symlinkTarget != b.symlinkTarget || a.hardlinkTarget != b.hardlinkTarget { what.append("target") }
        if a.permissions != b.permissions { what.append("mode") }
        if a.uid != b.uid || a.gid != b.gid || a.user != b.user || a.group != b.group { what.append("owner") }
        if a.mtimeNs != b.mtimeNs && a.kind != .directory { what.append("mtime") }
        return what
    }
}

/// The older manifest of a diff, read one entry ahead.
private final class OlderStream {
    private let reader: ManifestReader
    private let record: BackupRecord
    private var current: ManifestEntry?
    private var started = false
    private var ended = false

    init(browser: BackupBrowser, record: BackupRecord) throws {
        guard let object = record.manifestObject else {
            throw LifeboatError(.corrupt, "backup \(record.id) of \(record.service): backup.json lists no manifest")
        }
        self.record = record
        reader = try browser.repository.manifestReader(browser.repository.objectKey(service: record.service, id: record.id, name: object.name))
    }

    func peek() throws -> ManifestEntry? {
        if !started {
            started = true
            current = try read()
        }
        return current
    }

    func advance() throws { current = try read() }

    /// The next entry; errors name this (the older) backup, not the one whose walk drives the diff.
    private func read() throws -> ManifestEntry? {
        do {
            return try reader.next()
        } catch {
            throw LifeboatError(.corrupt, "the manifest of backup \(record.id) of \(record.service) is damaged (\(error)); `lifeboat verify \(record.service) --objects` says more", cause: error)
        }
    }

    /// Checks the older manifest against `backup.json` once it was read to its end.
    func finish() throws {
        guard let object = record.manifestObject, try reader.objectDigest().hex == object.sha256 else {
            throw LifeboatError(.corrupt, "the manifest of backup \(record.id) of \(record.service) does not match its SHA-256 in backup.json: the diff cannot be trusted; run `lifeboat verify \(record.service) --objects`")
        }
    }
}
