import LifeboatNative

/// Opening an encrypted repository: which of `keys/*.json` the passphrase opens, and, when none
/// does, whether that is a wrong passphrase or a damaged key file.
extension Repository {
    /// One file of `keys/`: its record, or why it cannot be read.
    struct KeyFile {
        /// The file as shown to the user (`/repo/keys/9f86d081884c7d65.json`).
        let path: String
        let record: Result<WrappedKey, LifeboatError>
    }

    /// Every `keys/*.json`, readable or not, in name order.
    static func keyFiles(in store: any ObjectStore) throws -> [KeyFile] {
        try store.list(keysFolder).filter { $0.name.hasSuffix(".json") }.map(\.name).sorted().compactMap { name in
            let key = "\(keysFolder)/\(name)"
            guard let bytes = try store.read(key) else { return nil }
            let path = store.display(key)
            return KeyFile(path: path, record: Result { try JSONFile.decode(WrappedKey.self, from: bytes, path: path) }
                .mapError { $0 as? LifeboatError ?? JSONFile.damaged(path, "\($0)") })
        }
    }

    /// The data key and the id of the stored key `passphrase` opens.
    ///
    /// A key file whose `check` does not match its fields (or that is not a key record at all) is
    /// damaged, whatever the passphrase: when no key opens and one is damaged, the error says so
    /// (`.corrupt`) instead of blaming the passphrase. A damaged record is still tried, last: if its
    /// AES-GCM tag verifies, only its check was hit and the key inside is sound. Records written
    /// before `check` existed cannot be told apart from a wrong passphrase; the message says when
    /// some were tried.
    static func unlock(_ store: any ObjectStore, passphrase: [UInt8]) throws -> (dataKey: [UInt8], keyID: String) {
        let files = try keyFiles(in: store)
        guard !files.isEmpty else {
            throw LifeboatError(.corrupt, "repository \(store.location) is encrypted but holds no readable key in \(keysFolder)/; without one its data cannot be decrypted")
        }
        var damaged: [String] = files.compactMap { if case .failure(let error) = $0.record { error.message } else { nil } }
        let records = files.compactMap { file in (try? file.record.get()).map { (file.path, $0) } }
            .sorted { ($0.1.created, $0.1.id) < ($1.1.created, $1.1.id) }
        // Oldest first, as listed; records that fail their check last.
        let ordered = records.filter { $0.1.isIntact != false } + records.filter { $0.1.isIntact == false }
        var refused = 0, unchecked = 0
        var unusable: [String] = []
        for (path, key) in ordered {
            do {
                return (try key.unwrap(passphrase: passphrase), key.id)
            } catch {
                if key.isIntact == false {
                    damaged.append("\(path) is damaged: its salt, nonce, wrapped key or scrypt parameters no longer match the checksum stored with them (\"check\")")
                } else if "\(error)".contains("does not open") {
                    refused += 1
                    if key.isIntact == nil { unchecked += 1 }
                } else {
                    // Parameters over the memory limit, an unknown key derivation: worth saying.
                    unusable.append("key \(key.id): \(error)")
                }
            }
        }
        let others = unusable.isEmpty ? "" : " (\(unusable.joined(separator: "; ")))"
        guard damaged.isEmpty else {
            let rest = refused == 0 ? "" : "; the passphrase opens none of its \(refused) other key\(refused == 1 ? "" : "s")"
            throw LifeboatError(
                .corrupt, "cannot open repository \(store.location): \(damaged.joined(separator: "; "))\(rest)\(others). "
                    + "A damaged key file cannot be opened by any passphrase: if the passphrase belongs to it, restore the file from "
                    + "a copy of the repository; otherwise use another key's passphrase. Nothing was read or changed")
        }
        let older = unchecked == 0 ? "" : unchecked == records.count
            ? "; its key files predate key checksums, so a damaged key file would also show as this"
            : "; \(unchecked) of its key files predate key checksums, so damage to them would also show as this"
        throw LifeboatError(.usage, "the passphrase does not open repository \(store.location) (tried its \(records.count) key\(records.count == 1 ? "" : "s"))\(others)\(older); check the passphrase, or the file or variable it came from. Nothing was read or changed")
    }
}
