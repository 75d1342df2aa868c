import Foundation

/// `records/copies/<id>.json` in the repository copied *from*: one backup now held whole and checked
/// by another repository. The compliance report counts a recovery point as off-site from `finished`.
public struct CopyRecord: Codable, Sendable, Equatable {
    public var id: String
    public var service: String
    public var backup: String
    /// The `repositories:` name and the id of the repository that now holds it.
    public var target: String
    public var targetID: String
    public var targetLocation: String
    public var started: String
    public var finished: String
    public var objects: Int
    public var bytes: Int64
}

/// What one `lifeboat copy` did for one service.
public struct CopyReport: Codable, Sendable, Equatable {
    public struct Copied: Codable, Sendable, Equatable {
        public var backup: String
        public var objects: Int
        public var bytes: Int64
        public var seconds: Double
    }

    public var service: String
    public var target: String
    public var copied: [Copied] = []
    /// Backups the target already held.
    public var present: [String] = []
    /// Leftovers of an interrupted copy removed from the target before copying.
    public var resumed: [String] = []
    /// Backups that could not be copied (damaged in the source), with why; the rest went on.
    public var failed: [String] = []
}

extension Repository {
    public func write(copy: CopyRecord) throws { try write(record: copy, kind: .copies, id: copy.id) }

    public func copies() -> [CopyRecord] { records(.copies, as: CopyRecord.self) }
}
