import Foundation
import Synchronization

extension CLIHarness {
    /// One `lifeboat` run of `concurrently`: its arguments, extra environment (a `LIFEBOAT_FAULT`
    /// pause, say) and what must hold before it starts (checked every 50 ms, for at most 30 s).
    struct Run {
        var args: [String]
        var environment: [String: String] = [:]
        var startWhen: @Sendable () -> Bool = { true }
    }

    /// Runs several `lifeboat` commands at the same time, each started once its `startWhen` holds;
    /// returns their results in the order given, once all have exited.
    func concurrently(_ runs: [Run]) -> [Result] {
        let results = Mutex<[Int: Swift.Result<Result, any Error>]>([:])
        let group = DispatchGroup()
        for (index, run) in runs.enumerated() {
            group.enter()
            DispatchQueue.global().async {
                let deadline = Date().addingTimeInterval(30)
                while !run.startWhen() && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
                let result = Swift.Result { try self.lifeboat(run.args, environment: run.environment) }
                results.withLock { $0[index] = result }
                group.leave()
            }
        }
        group.wait()
        return results.withLock { all in
            runs.indices.map { index in
                (try? all[index]?.get()) ?? Result(status: -1, stdout: "", stderr: "could not start \(runs[index].args)")
            }
        }
    }

    /// Whether `folder` (below `root`) holds a `.lease` file: a reader or prune lease is held.
    func holdsLease(_ folder: String) -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(folder)")) ?? []).contains { $0.hasSuffix(".lease") }
    }

    /// Runs `lifeboat ARGS` (an array) with this harness's config.
    func lifeboat(_ args: [String], environment: [String: String] = [:]) throws -> Result {
        try run(Self.binary, args + ["--config", "\(root)/lifeboat.yaml"], environment: environment)
    }
}
