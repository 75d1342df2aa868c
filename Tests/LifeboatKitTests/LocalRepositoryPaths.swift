@testable import LifeboatKit

/// Paths inside a local repository, for tests that damage or inspect its files directly.
extension Repository {
    var root: String { (store as! LocalStore).root }
    func backupPath(service: String, id: String) -> String { "\(root)/\(backupFolder(service: service, id: id))" }
}
