import Foundation
import Glibc
import LifeboatNative

/// A repository in a local folder. Objects are written under a temporary name, fsynced, renamed and
/// their folder fsynced (`PendingObject`); locks are `flock`s the kernel releases when a holder dies.
public struct LocalStore: ObjectStore {
    public let root: String

    public init(root: String) { self.root = root }

    public var location: String { root }

    func path(_ key: String) -> String { key.isEmpty ? root : "\(root)/\(key)" }

    public func create(_ key: String) throws -> any ObjectUpload {
        let target = path(key)
        try makeDurableFolder((target as NSString).deletingLastPathComponent)
        return try PendingObject(finalPath: target)
    }

    public func open(_ key: String) throws -> (any ByteSource)? {
        do {
            return try FileSource(path: path(key))
        } catch let error as NativeError where error.errno == ENOENT {
            return nil
        }
    }

    public func read(_ key: String) throws -> [UInt8]? {
        guard let source = try open(key) as? FileSource else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(source.size))
        var filled = 0
        while filled < bytes.count {
            let n = try bytes.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            if n == 0 { break }
            filled += n
        }
        return Array(bytes[0..<filled])
    }

    public func size(_ key: String) throws -> Int64? {
        guard let status = try? FileStatus.lstat(Array(path(key).utf8)), status.kind == .regular else { return nil }
        return status.size
    }

    public func list(_ folder: String) throws -> [StoreEntry] {
        let base = path(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return names.sorted().compactMap { name in
            guard let status = try? FileStatus.lstat(Array("\(base)/\(name)".utf8)) else { return nil }
            return StoreEntry(name: name, isFolder: status.kind == .directory, size: status.kind == .regular ? status.size : 0,
                              modified: Date(timeIntervalSince1970: TimeInterval(status.mtimeNs) / 1e9))
        }
    }

    public func names(in folder: String) throws -> [String] {
        guard let directory = opendir(path(folder)) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The folder's inode, mtime and ctime (nanoseconds): a new, removed or renamed entry changes them.
    public func folderStamp(_ folder: String) -> FolderStamp? {
        guard let status = try? FileStatus.lstat(Array(path(folder).utf8)), status.kind == .directory else { return nil }
        return FolderStamp(value: "\(status.inode)-\(status.mtimeNs)-\(status.ctimeNs)",
                           changed: Date(timeIntervalSince1970: TimeInterval(max(status.mtimeNs, status.ctimeNs)) / 1e9))
    }

    public func makeFolder(_ folder: String) throws { try makeDurableFolder(path(folder)) }

    public func delete(_ key: String) throws {
        if unlink(path(key)) != 0 && errno != ENOENT {
            throw LifeboatError(.io, "cannot remove \(path(key)): \(String(cString: strerror(errno)))")
        }
    }

    public func deleteFolder(_ folder: String) throws {
        try removeTree(Array(path(folder).utf8))
        try syncFolder((path(folder) as NSString).deletingLastPathComponent)
    }

    public func move(_ key: String, to destination: String) throws {
        let target = path(destination)
        try makeDurableFolder((target as NSString).deletingLastPathComponent)
        guard rename(path(key), target) == 0 else {
            throw LifeboatError(.io, "cannot move \(path(key)) to \(target): \(String(cString: strerror(errno)))")
        }
        try syncFolder((target as NSString).deletingLastPathComponent)
    }

    /// Renames the backup's folder to a hidden `.removing-ID` (durably), then removes that: a removal
    /// killed in between leaves a folder no listing shows, whose name says it is debris.
    public func removeBackup(_ folder: String, record: String) throws {
        let parent = (folder as NSString).deletingLastPathComponent
        let doomed = "\(parent)/\(Repository.removalPrefix)\((folder as NSString).lastPathComponent)"
        if rename(path(folder), path(doomed)) != 0 {
            throw LifeboatError(.io, "cannot remove \(path(folder)): \(String(cString: strerror(errno))); the backup was kept")
        }
        try syncFolder(path(parent))
        FaultPoint.pruneMidDelete.reach()
        try deleteFolder(doomed)
    }

    var locksFolder: String { path("locks") }

    public func lock(service: String, purpose: String) throws -> any StoreLock {
        try LocalLock(folder: locksFolder, service: service, purpose: purpose)
    }

    public func locks() throws -> [LockListing] { LocalLock.list(folder: locksFolder) }

    /// Taking the lock and releasing it leaves a free lock file with an empty lease.
    public func clearStaleLock(service: String) throws {
        try withExtendedLifetime(LocalLock(folder: locksFolder, service: service, purpose: "repair")) {}
    }
}

extension Repository {
    /// Creates a repository in a local folder.
    public static func create(at folder: String, compressionLevel: Int) throws -> Repository {
        try create(in: CheckedStore(inner: LocalStore(root: folder)), compressionLevel: compressionLevel)
    }

    /// Opens the repository in a local folder.
    public static func open(at folder: String) throws -> Repository {
        try open(in: CheckedStore(inner: LocalStore(root: folder)))
    }
}
