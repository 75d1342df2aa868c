import Foundation
import LifeboatNative

/// The keys of an encrypted repository: `keys/<id>.json`, one wrapped copy of the data key per
/// passphrase. Any one passphrase opens the repository; adding or removing one never re-encrypts data.
extension Repository {
    static let keysFolder = "keys"

    /// Creates an encrypted repository: a random data key, wrapped under `passphrase`.
    public static func createEncrypted(in store: any ObjectStore, compressionLevel: Int, passphrase: [UInt8]) throws -> Repository {
        let dataKey = try WrappedKey.newDataKey()
        let encryption = RepositoryInfo.Encryption(frameSize: EncryptedObject.defaultFrameSize)
        return try create(in: store, compressionLevel: compressionLevel, encryption: encryption) {
            let key = try WrappedKey.wrap(dataKey: dataKey, passphrase: passphrase, created: Timestamp.format(Date()))
            _ = try store.write(try keyBytes(key), to: "\(keysFolder)/\(key.id).json")
            return EncryptedStore(inner: store, dataKey: dataKey, keyID: key.id)
        }
    }

    /// The stored wrapped keys, oldest first.
    public func keys() throws -> [WrappedKey] { try Self.keys(in: baseStore) }

    static func keys(in store: any ObjectStore) throws -> [WrappedKey] {
        try keyFiles(in: store).compactMap { try? $0.record.get() }.sorted { ($0.created, $0.id) < ($1.created, $1.id) }
    }

    /// Adds a passphrase: the data key wrapped under it, as a new key.
    public func addKey(passphrase: [UInt8]) throws -> WrappedKey {
        guard let encrypted = store as? EncryptedStore else {
            throw LifeboatError(.usage, "repository \(location) is not encrypted; it has no keys (create an encrypted one with `lifeboat init --encrypt`)")
        }
        let key = try WrappedKey.wrap(dataKey: encrypted.dataKey, passphrase: passphrase, created: Timestamp.format(Date()))
        _ = try baseStore.write(try Self.keyBytes(key), to: "\(Self.keysFolder)/\(key.id).json")
        return key
    }

    /// Removes a key; refuses the last one (the data would be lost for good).
    public func removeKey(id: String) throws {
        let keys = try keys()
        guard keys.contains(where: { $0.id == id }) else {
            throw LifeboatError(.usage, "repository \(location) has no key \(id); `lifeboat key list` shows them (\(keys.map(\.id).joined(separator: ", ")))")
        }
        guard keys.count > 1 else {
            throw LifeboatError(.usage, "key \(id) is the repository's only key: removing it would make every backup unreadable for good. Add another with `lifeboat key add` first")
        }
        // Opening with a key that stays proves one that stays works: removing the key in use could
        // leave only keys whose passphrases nobody knows, or whose records are damaged.
        if let encrypted = store as? EncryptedStore, encrypted.keyID == id {
            throw LifeboatError(.usage, "key \(id) is the one this command opened the repository with; open it with another key's passphrase (one that stays) to remove this one")
        }
        try baseStore.delete("\(Self.keysFolder)/\(id).json")
    }

    /// The store under the encryption layer (where keys and the description live).
    var baseStore: any ObjectStore { (store as? EncryptedStore)?.inner ?? store }

    static func keyBytes(_ key: WrappedKey) throws -> [UInt8] { try jsonBytes(key) }
}
