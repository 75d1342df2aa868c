import ArgumentParser
import LifeboatKit

/// The documented exit codes (README, "Exit codes").
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 2
    static let partial: Int32 = 3
    static let breached: Int32 = 4
    static let locked: Int32 = 5
    static let interrupted: Int32 = 130

    static func code(for error: LifeboatError) -> Int32 {
        switch error.code {
        case .configuration, .usage: usage
        case .locked: locked
        case .interrupted: interrupted
        default: failure
        }
    }

    /// The exit for a command that ran several jobs: all good, some failed (partial), all failed.
    static func combined(succeeded: Int, failed: Int, partial: Int) -> ExitCode {
        if failed == 0 && partial == 0 { return .success }
        if succeeded == 0 && partial == 0 { return ExitCode(failure) }
        return ExitCode(self.partial)
    }
}
