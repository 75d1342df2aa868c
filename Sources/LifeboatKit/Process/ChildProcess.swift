import Foundation

/// Runs a program to completion with a timeout, keeping the end of its output (stdout and stderr), on
/// the one runner (`GroupProcess`): in its own process group, which the timeout ends as a whole.
enum ChildProcess {
    struct Result {
        var status: Int32
        var killedByTimeout: Bool
        var signaled: Bool
        var output: String
        var succeeded: Bool { !signaled && status == 0 }
    }

    static let outputLimit = 64 * 1024

    /// Runs `argv` (an absolute program first) with `environment` (this process's when nil) in
    /// `directory`; after `timeout` seconds its group gets SIGTERM, then SIGKILL after `grace` seconds.
    ///
    /// The program starts with only stdin, stdout and stderr open, so a daemon it leaves behind
    /// (`pg_ctl start`) holds none of this process's descriptors, and the wait ends with the program,
    /// not with the daemon's copy of the output pipe.
    static func run(_ argv: [String], environment: [String: String]? = nil, directory: String? = nil,
                    timeout: TimeInterval, grace: Double = 5) -> Result {
        let process: GroupProcess
        do {
            process = try GroupProcess(argv: argv, environment: environment ?? ProcessInfo.processInfo.environment,
                                       workdir: directory, grace: grace, outputLimit: outputLimit)
        } catch {
            return Result(status: -1, killedByTimeout: false, signaled: false, output: (error as? LifeboatError)?.message ?? "\(error)")
        }
        let result = process.wait(timeout: timeout)
        return switch result.ending {
        case .exited(let status): Result(status: status, killedByTimeout: result.timedOut, signaled: false, output: result.output)
        case .signaled(let signal): Result(status: signal, killedByTimeout: result.timedOut, signaled: true, output: result.output)
        }
    }
}
