import Foundation

extension Repository {
    /// `records/verifications/`: one immutable JSON file per verification.
    var verificationsPath: String { "\(root)/records/verifications" }

    /// Writes a verification record (temp file, fsync, rename, folder fsync); never overwrites one.
    public func write(verification: VerificationRecord) throws {
        try makeDurableFolder(verificationsPath)
        _ = try PendingObject.write(try jsonBytes(verification), to: "\(verificationsPath)/\(verification.id).json")
    }

    /// Every readable verification record, oldest first; unreadable files are skipped.
    public func verifications() -> [VerificationRecord] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: verificationsPath)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        return names.compactMap { name in
            FileManager.default.contents(atPath: "\(verificationsPath)/\(name)")
                .flatMap { try? JSONDecoder().decode(VerificationRecord.self, from: $0) }
        }
    }
}
