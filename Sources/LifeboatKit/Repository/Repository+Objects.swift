import LifeboatNative

/// Reading and writing the objects of backups through the store, with the messages every caller
/// would otherwise repeat.
extension Repository {
    /// Starts writing an object of the repository.
    func createObject(_ key: String) throws -> any ObjectUpload {
        try store.create(key)
    }

    /// A streaming reader of `key`; `.corrupt` naming the object when it is missing.
    func openObject(_ key: String) throws -> any ByteSource {
        guard let source = try store.open(key) else {
            throw LifeboatError(.corrupt, "object \(key) is missing from \(location)")
        }
        return source
    }

    /// Reads a manifest object line by line.
    func manifestReader(_ key: String) throws -> ManifestReader {
        try ManifestReader(source: try openObject(key))
    }
}

extension Repository {
    /// The key of something shown as `store.display(key)`.
    func key(displayed: String) -> String {
        displayed == location ? "" : String(displayed.dropFirst(location.count + 1))
    }
}
