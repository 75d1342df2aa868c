@testable import LifeboatKit

/// Paths inside a local repository, for tests that damage or inspect its files directly.
extension Repository {
    var root: String {
        guard let local = store.unwrapped as? LocalStore else { fatalError("\(store.location) is not a local repository") }
        return local.root
    }
    func backupPath(service: String, id: String) -> String { "\(root)/\(backupFolder(service: service, id: id))" }
}
