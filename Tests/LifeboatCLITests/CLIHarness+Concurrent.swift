import Foundation
import Synchronization

extension CLIHarness {
    /// One `lifeboat` run of `concurrently`: its arguments, extra environment (a `LIFEBOAT_FAULT`
    /// pause, say) and how long after the first run it starts.
    struct Run {
        var args: [String]
        var environment: [String: String] = [:]
        var delay: Double = 0
    }

    /// Runs several `lifeboat` commands at the same time, each started `delay` seconds after the call;
    /// returns their results in the order given, once all have exited.
    func concurrently(_ runs: [Run]) -> [Result] {
        let results = Mutex<[Int: Swift.Result<Result, any Error>]>([:])
        let group = DispatchGroup()
        for (index, run) in runs.enumerated() {
            group.enter()
            DispatchQueue.global().asyncAfter(deadline: .now() + run.delay) {
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

    /// Runs `lifeboat ARGS` (an array) with this harness's config.
    func lifeboat(_ args: [String], environment: [String: String] = [:]) throws -> Result {
        try run(Self.binary, args + ["--config", "\(root)/lifeboat.yaml"], environment: environment)
    }
}
