import Foundation
import LifeboatTestSupport
@testable import LifeboatKit

/// One store of each kind the conformance suite runs against, in a fresh place each time.
enum StoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case local
    case s3

    var description: String { rawValue }

    /// A new, empty store and a way to throw it away.
    func make() throws -> (store: any ObjectStore, cleanup: () -> Void) {
        let name = "lifeboat-store-\(UUID().uuidString.prefix(8).lowercased())"
        switch self {
        case .local:
            let folder = "\(NSTemporaryDirectory())\(name)"
            return (LocalStore(root: folder), { try? FileManager.default.removeItem(atPath: folder) })
        case .s3:
            let store = try S3TestServer.shared().store(prefix: name)
            return (store, {})
        }
    }
}
