import Foundation
import Glibc
import Synchronization

// Saving the input that crashes or hangs: a crash cannot be caught, only noticed on its way out.

/// The input being executed, kept in raw memory so that a signal handler can write it out with
/// async-signal-safe calls only (`open`, `write`, `close`).
private nonisolated(unsafe) var crashBuffer: UnsafeMutableRawPointer?
private nonisolated(unsafe) var crashCapacity = 0
private nonisolated(unsafe) var crashCount = 0
private nonisolated(unsafe) var crashPath: UnsafeMutablePointer<CChar>?
private nonisolated(unsafe) var crashMessage: UnsafeMutablePointer<CChar>?
private nonisolated(unsafe) var previousActions = UnsafeMutablePointer<sigaction>.allocate(capacity: Int(NSIG))
private let crashSignals = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT]

/// Writes the current input to the crash file and says where on stderr.
private func saveCrashingInput() {
    guard let crashPath else { return }
    let descriptor = open(crashPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    if descriptor >= 0 {
        if let crashBuffer, crashCount > 0 { _ = write(descriptor, crashBuffer, crashCount) }
        close(descriptor)
    }
    if let crashMessage { _ = write(STDERR_FILENO, crashMessage, strlen(crashMessage)) }
}

/// Saves the input, puts the previous handler back and returns: the faulting instruction runs again
/// and the previous handler (Swift's backtracer, or the default action) takes over.
private let crashHandler: @convention(c) (Int32) -> Void = { signal in
    saveCrashingInput()
    sigaction(signal, previousActions + Int(signal), nil)
}

/// Arms the crash handler and a watchdog thread for one driver run.
final class CrashGuard: @unchecked Sendable {
    private let state = Mutex<(started: ContinuousClock.Instant?, stop: Bool)>((nil, false))
    private let hangLimit: Duration
    private static let alternateStackSize = 256 * 1024
    private let alternateStack = UnsafeMutableRawPointer.allocate(byteCount: alternateStackSize, alignment: 16)
    private var previousStack = stack_t()

    init(target: String, hangLimit: Duration) {
        self.hangLimit = hangLimit
        let path = "\(NSTemporaryDirectory())lifeboat-fuzz-\(target)-crash.bin"
        crashPath = strdup(path)
        crashMessage = strdup("\nfuzz \(target): the input that crashed or hung is saved at \(path)\n")
        // On an alternate stack, so that a stack overflow is caught too (signals are delivered on the
        // faulting thread: the one running the driver).
        var stack = stack_t()
        stack.ss_sp = alternateStack
        stack.ss_size = Self.alternateStackSize
        sigaltstack(&stack, &previousStack)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = crashHandler
        action.sa_flags = SA_ONSTACK
        sigemptyset(&action.sa_mask)
        for signal in crashSignals { sigaction(signal, &action, previousActions + Int(signal)) }
        Thread { [self] in watch() }.start()
    }

    func arm(_ input: [UInt8]) {
        if input.count > crashCapacity {
            crashBuffer = realloc(crashBuffer, input.count)
            crashCapacity = input.count
        }
        input.withUnsafeBytes { if let base = $0.baseAddress { crashBuffer?.copyMemory(from: base, byteCount: $0.count) } }
        crashCount = input.count
        state.withLock { $0.started = .now }
    }

    func idle() { state.withLock { $0.started = nil } }

    func disarm() {
        state.withLock { $0.stop = true }
        for signal in crashSignals { sigaction(signal, previousActions + Int(signal), nil) }
        sigaltstack(&previousStack, nil)
        alternateStack.deallocate()
        free(crashPath)
        free(crashMessage)
        crashPath = nil
        crashMessage = nil
    }

    private func watch() {
        while true {
            Thread.sleep(forTimeInterval: 0.25)
            let (started, stop) = state.withLock { ($0.started, $0.stop) }
            if stop { return }
            if let started, ContinuousClock.now - started > hangLimit {
                saveCrashingInput()
                fatalError("a fuzz input has run for more than \(hangLimit)")
            }
        }
    }
}
