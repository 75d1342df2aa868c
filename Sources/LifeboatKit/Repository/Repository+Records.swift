import Foundation

/// `records/<kind>/<id>.json`: small immutable results (verifications, plan runs, drills) kept with
/// the backups, so the history survives a lost catalog and covers every host sharing the repository.
extension Repository {
    enum RecordKind: String {
        case verifications
        case planRuns = "plan-runs"
        case drills
        case copies
    }

    func recordsFolder(_ kind: RecordKind) -> String { "records/\(kind.rawValue)" }
    func recordKey(_ kind: RecordKind, id: String) -> String { "\(recordsFolder(kind))/\(id).json" }

    /// Writes a record as one immutable object.
    func write<T: Encodable>(record: T, kind: RecordKind, id: String) throws {
        _ = try store.write(try jsonBytes(record), to: recordKey(kind, id: id))
    }

    /// The ids of the records of a kind (their names without `.json`), sorted; one listing, no reads.
    func recordIDs(_ kind: RecordKind) -> [String] {
        ((try? store.list(recordsFolder(kind))) ?? []).map(\.name)
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// One record, or nil when it is missing or unreadable.
    func record<T: Decodable>(_ kind: RecordKind, id: String, as type: T.Type) -> T? {
        ((try? store.read(recordKey(kind, id: id))) ?? nil).flatMap { try? JSONDecoder().decode(T.self, from: Data($0)) }
    }

    /// Every readable record of a kind, oldest first; unreadable objects are skipped (see
    /// `readRecords(_:as:)` for what they are).
    func records<T: Decodable>(_ kind: RecordKind, as type: T.Type) -> [T] {
        readRecords(kind, as: type).records
    }

    /// Every readable record of a kind, oldest first, and for each object that cannot be read or
    /// decoded a message naming it and what is wrong (`JSONFile`).
    func readRecords<T: Decodable>(_ kind: RecordKind, as type: T.Type) -> (records: [T], damaged: [String]) {
        var records: [T] = [], damaged: [String] = []
        for id in recordIDs(kind) {
            let key = recordKey(kind, id: id)
            do {
                guard let bytes = try store.read(key) else { continue }
                records.append(try JSONFile.decode(T.self, from: bytes, path: store.display(key)))
            } catch let error as LifeboatError {
                damaged.append(error.message)
            } catch {
                damaged.append("\(store.display(key)) cannot be read: \(error)")
            }
        }
        return (records, damaged)
    }

    public func write(verification: VerificationRecord) throws {
        try write(record: verification, kind: .verifications, id: verification.id)
    }

    public func verifications() -> [VerificationRecord] { records(.verifications, as: VerificationRecord.self) }

    /// The ids of `records/verifications`, sorted.
    public func verificationIDs() -> [String] { recordIDs(.verifications) }

    public func verification(id: String) -> VerificationRecord? { record(.verifications, id: id, as: VerificationRecord.self) }

    public func write(planRun: PlanRunRecord) throws { try write(record: planRun, kind: .planRuns, id: planRun.id) }

    public func planRuns() -> [PlanRunRecord] { records(.planRuns, as: PlanRunRecord.self) }

    public func write(drill: DrillRecord) throws { try write(record: drill, kind: .drills, id: drill.id) }

    public func drills() -> [DrillRecord] { records(.drills, as: DrillRecord.self) }
}
