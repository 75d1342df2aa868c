import Foundation
import Logging
import Synchronization

/// A stop request shared between a signal handler and the daemon loop.
public final class StopSignal: Sendable {
    private let state = Mutex<Int>(0)
    private let wake = DispatchSemaphore(value: 0)

    public init() {}

    /// Asks the loop to stop after the jobs that are running; returns how many times it was asked.
    @discardableResult
    public func request() -> Int {
        let count = state.withLock { value -> Int in
            value += 1
            return value
        }
        wake.signal()
        return count
    }

    public var requested: Bool { state.withLock { $0 > 0 } }

    /// Sleeps until `deadline` or until a stop is requested.
    func sleep(until deadline: Date) {
        let seconds = deadline.timeIntervalSinceNow
        guard seconds > 0 else { return }
        _ = wake.wait(timeout: .now() + seconds)
        if requested { wake.signal() }  // keep later sleeps short too
    }
}

/// `lifeboat daemon`: the `run-due` loop in one process, once a minute on the minute. A stop request
/// lets the running jobs finish (a backup is never half-committed: it either commits `backup.json` or
/// leaves nothing visible) and then returns.
public struct Daemon: Sendable {
    public let workspace: Workspace
    public let concurrency: Int
    public let metricsFile: String?
    private let logger = Logger(label: "lifeboat.daemon")

    public init(workspace: Workspace, concurrency: Int, metricsFile: String?) {
        self.workspace = workspace
        self.concurrency = concurrency
        self.metricsFile = metricsFile
    }

    /// Runs until `stop` is requested. `report` gets each cycle's job outcomes (none when nothing was due).
    public func run(stop: StopSignal, report: ([JobOutcome]) -> Void) {
        logger.info("daemon started", metadata: ["services": "\(workspace.config.services.count)"])
        while !stop.requested {
            let cycle = Date()
            do {
                let outcomes = try workspace.runDue(now: cycle, concurrency: concurrency)
                if !outcomes.isEmpty { report(outcomes) }
            } catch {
                logger.error("scheduling failed: \(error)")
            }
            if let metricsFile {
                do { try workspace.writeMetrics(to: metricsFile, now: Date()) } catch { logger.error("\(error)") }
            }
            let next = (cycle.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60
            stop.sleep(until: Date(timeIntervalSince1970: next))
        }
        logger.info("daemon stopped: running jobs finished")
    }
}
