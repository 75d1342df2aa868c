import Foundation
import Glibc
import Synchronization

/// A deterministic, seeded mutation fuzzer for parsers that take bytes: no coverage feedback (libFuzzer
/// is not available with this toolchain), but the same seed always produces the same inputs, so a failure
/// found anywhere replays with `LIFEBOAT_FUZZ_SEED=<seed>`.
///
/// Each run first executes every corpus input as it is (the committed corpus doubles as the regression
/// set), then mutated ones until the time budget or the iteration cap runs out. The environment tunes it:
/// `LIFEBOAT_FUZZ_SEED` (decimal or `0x…`; default fixed), `LIFEBOAT_FUZZ_SECONDS` (default 3 per target)
/// and `LIFEBOAT_FUZZ_ITERATIONS` (default unlimited).
///
/// An input that makes `property` return a problem, or that takes longer than `slowInput`, is a failure;
/// its bytes are written to `$TMPDIR/lifeboat-fuzz-<target>-failure-<n>.bin`. A crash (a Swift trap or a
/// fault) cannot be caught, so the input being run is written to `$TMPDIR/lifeboat-fuzz-<target>-crash.bin`
/// by a signal handler first; an input still running after `hangLimit` is written there too before the
/// process is aborted. Only one driver may run at a time in a process (the fuzz suite is serialized).
struct FuzzDriver {
    let target: String
    let corpus: [[UInt8]]
    var mutator: FuzzMutator
    /// Longer than this and an input counts as a failure ("each input must finish quickly").
    var slowInput: Duration = .seconds(2)
    /// Longer than this and the input is assumed to hang: it is saved and the process aborts.
    var hangLimit: Duration = .seconds(60)
    var maxInputSize = 64 * 1024

    struct Failure: CustomStringConvertible {
        let input: [UInt8]
        let problem: String
        let savedAt: String
        var description: String { "\(problem) — input \(FuzzDriver.preview(input)) saved at \(savedAt)" }
    }

    struct Report {
        let target: String
        /// The `LIFEBOAT_FUZZ_SEED` that replays this run.
        let seed: UInt64
        var executions = 0
        var failures: [Failure] = []
        /// The line a script collects: `fuzz <target>: <N> executions, <F> failures`.
        var summary: String { "fuzz \(target): \(executions) executions, \(failures.count) failures" }
    }

    init(target: String, corpus: [[UInt8]], dictionary: [String] = []) {
        precondition(!corpus.isEmpty, "fuzz target \(target) has an empty corpus")
        self.target = target
        self.corpus = corpus
        mutator = FuzzMutator(dictionary: dictionary.map { Array($0.utf8) })
    }

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// `LIFEBOAT_FUZZ_SEED`, or a fixed default.
    static var baseSeed: UInt64 {
        let text = environment["LIFEBOAT_FUZZ_SEED"] ?? ""
        return (text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)) ?? 0x4C49_4645_424F_4154
    }

    /// The base seed mixed with the target's name, so that targets explore different sequences.
    var seed: UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a of the target name
        for byte in target.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return Self.baseSeed ^ hash
    }

    /// Runs `property` on each input; it returns nil when the input passed, else what went wrong.
    func run(_ property: ([UInt8]) -> String?) -> Report {
        let seconds = Double(Self.environment["LIFEBOAT_FUZZ_SECONDS"] ?? "") ?? 3
        let iterations = Int(Self.environment["LIFEBOAT_FUZZ_ITERATIONS"] ?? "") ?? .max
        var report = Report(target: target, seed: Self.baseSeed)
        var rng = SplitMix64(seed: seed)
        var mutator = mutator
        let guardRail = CrashGuard(target: target, hangLimit: hangLimit)
        defer { guardRail.disarm() }
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int(seconds * 1000))

        func execute(_ input: [UInt8]) {
            guardRail.arm(input)
            let started = clock.now
            let problem = property(input)
            let elapsed = clock.now - started
            guardRail.idle()
            report.executions += 1
            var problems: [String] = []
            if let problem { problems.append(problem) }
            if elapsed > slowInput { problems.append("took \(elapsed) (limit \(slowInput))") }
            guard !problems.isEmpty else { return }
            let path = "\(NSTemporaryDirectory())lifeboat-fuzz-\(target)-failure-\(report.failures.count + 1).bin"
            _ = FileManager.default.createFile(atPath: path, contents: Data(input))
            report.failures.append(Failure(input: input, problem: problems.joined(separator: "; "), savedAt: path))
        }

        for input in corpus where report.executions < iterations { execute(input) }
        while report.executions < iterations && clock.now < deadline && report.failures.count < 20 {
            let parent = corpus[Int(rng.next() % UInt64(corpus.count))]
            var input = mutator.mutate(parent, corpus: corpus, using: &rng)
            if input.count > maxInputSize { input.removeLast(input.count - maxInputSize) }
            execute(input)
        }
        FileHandle.standardError.write(Data((report.summary + "\n").utf8))
        for failure in report.failures {
            FileHandle.standardError.write(Data("fuzz \(target): \(failure)\n".utf8))
        }
        return report
    }

    /// An input for messages: printable ASCII as is, everything else escaped, at most 300 bytes.
    static func preview(_ input: [UInt8]) -> String {
        var text = "\""
        for byte in input.prefix(300) {
            switch byte {
            case 0x20..<0x7F where byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\"): text.append(Character(Unicode.Scalar(byte)))
            case UInt8(ascii: "\n"): text += "\\n"
            default: text += "\\x" + String(byte, radix: 16).leftPadded(to: 2)
            }
        }
        return text + (input.count > 300 ? "\"… (\(input.count) bytes)" : "\"")
    }
}

/// SplitMix64 (Steele, Lea and Flood): a tiny generator whose whole state is its seed, so a run is a
/// pure function of the seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound` (`bound` > 0).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
