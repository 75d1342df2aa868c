import Foundation

extension BackupBrowser {
    /// `ls`: the entries of `record` at `path` — a folder's children (everything below it when
    /// `recursive`), a file itself — or, without a path, the backed-up roots (everything when
    /// `recursive`). Streams: `visit` sees each entry as it is read, and reading stops once the
    /// manifest is past `path` (tree order keeps everything below a path right after it).
    public func list(service: String, selector: BackupSelector, at path: TreePath?, recursive: Bool,
                     _ visit: (BrowseEntry) throws -> Void) throws {
        try repository.reading(service: service, purpose: "ls") {
            let record = try self.record(service: service, selector: selector)
            var roots: Set<TreePath>?
            var found = false
            var folder = false
            try entries(of: record) { entry in
                guard let path else {
                    if roots == nil { roots = [] }
                    if recursive || !roots!.contains(where: { entry.path.isWithin($0) }) {
                        if !recursive { roots!.insert(entry.path) }
                        try visit(BrowseEntry(entry))
                    }
                    return true
                }
                guard entry.path.isWithin(path) else { return !(path < entry.path) }
                if entry.path == path {
                    found = true
                    folder = entry.kind == .directory
                    if !folder { try visit(BrowseEntry(entry)) }
                    return folder
                }
                found = true
                if recursive || entry.path.parent == path { try visit(BrowseEntry(entry)) }
                return true
            }
            if let path, !found {
                throw LifeboatError(.usage, "backup \(record.id) of \(record.service) holds nothing at /\(path); `lifeboat ls \(record.service) --backup \(record.id)` lists its top")
            }
        }
    }
}
