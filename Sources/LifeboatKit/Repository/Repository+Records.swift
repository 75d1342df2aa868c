import Foundation

/// `records/<kind>/<id>.json`: small immutable results (verifications, plan runs, drills) kept with
/// the backups, so the history survives a lost catalog and covers every host sharing the repository.
extension Repository {
    enum RecordKind: String {
        case verifications
        case planRuns = "plan-runs"
        case drills
    }

    func recordsPath(_ kind: RecordKind) -> String { "\(root)/records/\(kind.rawValue)" }

    /// Writes a record (temp file, fsync, rename, folder fsync); never overwrites one.
    func write<T: Encodable>(record: T, kind: RecordKind, id: String) throws {
        let folder = recordsPath(kind)
        try makeDurableFolder(folder)
        _ = try PendingObject.write(try jsonBytes(record), to: "\(folder)/\(id).json")
    }

    /// Every readable record of a kind, oldest first; unreadable files are skipped.
    func records<T: Decodable>(_ kind: RecordKind, as type: T.Type) -> [T] {
        let folder = recordsPath(kind)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        return names.compactMap { name in
            FileManager.default.contents(atPath: "\(folder)/\(name)").flatMap { try? JSONDecoder().decode(T.self, from: $0) }
        }
    }

    public func write(verification: VerificationRecord) throws {
        try write(record: verification, kind: .verifications, id: verification.id)
    }

    public func verifications() -> [VerificationRecord] { records(.verifications, as: VerificationRecord.self) }

    public func write(planRun: PlanRunRecord) throws { try write(record: planRun, kind: .planRuns, id: planRun.id) }

    public func planRuns() -> [PlanRunRecord] { records(.planRuns, as: PlanRunRecord.self) }

    public func write(drill: DrillRecord) throws { try write(record: drill, kind: .drills, id: drill.id) }

    public func drills() -> [DrillRecord] { records(.drills, as: DrillRecord.self) }
}
