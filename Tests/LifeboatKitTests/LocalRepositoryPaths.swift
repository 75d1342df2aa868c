@testable import LifeboatKit

/// Paths inside a local repository, for tests that damage or inspect its files directly.
extension Repository {
    var root: String {
        var layer: any ObjectStore = store
        while true {
            if let local = layer as? LocalStore { return local.root }
            if let checked = layer as? CheckedStore { layer = checked.inner; continue }
            if let encrypted = layer as? EncryptedStore { layer = encrypted.inner; continue }
            fatalError("\(store.location) is not a local repository")
        }
    }
    func backupPath(service: String, id: String) -> String { "\(root)/\(backupFolder(service: service, id: id))" }
}
