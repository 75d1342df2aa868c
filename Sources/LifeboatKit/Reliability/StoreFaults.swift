import Foundation
import Synchronization

/// Which store operations fail, and how: `LIFEBOAT_STORE_FAULTS` in debug builds (release builds
/// ignore it), a comma-separated list of `KIND@N` (the Nth operation of that kind, counted from 1),
/// `KIND@N+` (the Nth and every later one) or `slow:SECONDS` (every operation delayed):
///
/// - `write-error@N`  the Nth upload fails while being written (disk error, connection reset)
/// - `short-write@N`  the Nth upload silently stores less than it was given (a lying disk or proxy)
/// - `read-error@N`   the Nth object opened for reading fails part-way
/// - `garbled-read@N` the Nth object opened for reading returns one byte flipped (bit rot in transit)
/// - `list-lag@N`     the Nth listing leaves out the newest entry (a store whose listings lag writes)
/// - `slow:SECONDS`   every operation takes that much longer
///
/// Used by the tests to show what the repository layer does on a bad day: retry what is safe to
/// retry (reading an object again), fail cleanly otherwise, and never commit a backup whose objects
/// are not all stored whole.
struct StoreFaults: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        case writeError = "write-error", shortWrite = "short-write", readError = "read-error"
        case garbledRead = "garbled-read", listLag = "list-lag"
    }

    struct Rule: Sendable {
        var kind: Kind
        var from: Int
        var onwards: Bool
    }

    let rules: [Rule]
    let delay: Double
    private let counters = Counters()

    private final class Counters: Sendable {
        let value = Mutex<[Kind: Int]>([:])
    }

    /// The faults the environment asks for; nil when none (always nil in release builds).
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> StoreFaults? {
        #if DEBUG
        guard let text = environment["LIFEBOAT_STORE_FAULTS"], !text.isEmpty else { return nil }
        return try StoreFaults(parsing: text)
        #else
        return nil
        #endif
    }

    init(parsing text: String) throws {
        var rules: [Rule] = []
        var delay = 0.0
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if item.hasPrefix("slow:"), let seconds = Double(item.dropFirst("slow:".count)) {
                delay = seconds
                continue
            }
            let parts = item.split(separator: "@", maxSplits: 1).map(String.init)
            var count = parts.count == 2 ? parts[1] : "1"
            let onwards = count.hasSuffix("+")
            if onwards { count.removeLast() }
            guard let kind = Kind(rawValue: parts[0]), let from = Int(count), from >= 1 else {
                throw LifeboatError(.usage, "LIFEBOAT_STORE_FAULTS: \"\(item)\" is not KIND@N, KIND@N+ or slow:SECONDS (kinds: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            rules.append(Rule(kind: kind, from: from, onwards: onwards))
        }
        self.rules = rules
        self.delay = delay
    }

    /// Counts one operation of `kind` and says whether it fails.
    func strikes(_ kind: Kind) -> Bool {
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        let relevant = rules.filter { $0.kind == kind }
        guard !relevant.isEmpty else { return false }
        let count = counters.value.withLock { counts -> Int in
            counts[kind, default: 0] += 1
            return counts[kind]!
        }
        return relevant.contains { count == $0.from || ($0.onwards && count >= $0.from) }
    }
}
