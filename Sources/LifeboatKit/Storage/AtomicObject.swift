import Foundation
import Glibc
import LifeboatNative

/// An object being written under a temporary name in its final folder. `commit()` makes it durable and
/// visible in one step: fsync the file, rename it to its final name, fsync the folder. A process killed
/// before `commit()` leaves only a `.tmp-` file, which readers ignore and cleanup removes.
final class PendingObject: ObjectUpload {
    let finalPath: String
    let file: FileSink
    var sink: any ByteSink { file }
    var bytesWritten: Int64 { file.bytesWritten }

    init(finalPath: String) throws {
        self.finalPath = finalPath
        let folder = (finalPath as NSString).deletingLastPathComponent
        let name = (finalPath as NSString).lastPathComponent
        let temp = "\(folder)/.tmp-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            file = try FileSink(creating: temp, mode: RepositoryPermissions.file)
        } catch {
            throw LifeboatError(.io, "cannot create \(temp): \(error)", cause: error)
        }
    }

    /// Returns the object's size and SHA-256 once it is durable under its final name.
    func commit() throws -> BackupRecord.Object {
        do {
            let digest = try file.finish()
            FaultPoint.objectBeforeRename.reach()
            if rename(file.path, finalPath) != 0 { throw NativeError.posix("rename", path: finalPath) }
            FaultPoint.objectAfterRename.reach()
            try syncFolder((finalPath as NSString).deletingLastPathComponent)
            return BackupRecord.Object(name: (finalPath as NSString).lastPathComponent, size: file.bytesWritten, sha256: digest.hex)
        } catch let error as LifeboatError {
            throw error
        } catch {
            throw LifeboatError(.io, "cannot write \(finalPath): \(error)", cause: error)
        }
    }

    /// Removes the temporary file (after a failure).
    func discard() { unlink(file.path) }
}

/// fsync a folder so that a rename or create inside it survives a crash.
func syncFolder(_ path: String) throws {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd < 0 { throw LifeboatError(.io, "cannot open folder \(path) to sync it: \(String(cString: strerror(errno)))", cause: NativeError.posix("open", path: path)) }
    defer { close(fd) }
    if fsync(fd) != 0 { throw LifeboatError(.io, "cannot sync folder \(path): \(String(cString: strerror(errno)))", cause: NativeError.posix("fsync", path: path)) }
}

/// Creates a folder and any missing parents, syncing the parent of each folder it creates, so that a
/// committed object below survives a crash even on the first backup of a service.
func makeDurableFolder(_ path: String) throws {
    var missing: [String] = []
    var current = path
    while !current.isEmpty && current != "/" && !FileManager.default.fileExists(atPath: current) {
        missing.append(current)
        current = (current as NSString).deletingLastPathComponent
    }
    for folder in missing.reversed() {
        if mkdir(folder, RepositoryPermissions.folder) != 0 && errno != EEXIST {
            throw LifeboatError(.io, "cannot create folder \(folder): \(String(cString: strerror(errno)))", cause: NativeError.posix("mkdir", path: folder))
        }
        try syncFolder((folder as NSString).deletingLastPathComponent)
    }
}
