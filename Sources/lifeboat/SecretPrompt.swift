import Foundation
import Glibc

/// Asks for a secret on the controlling terminal with echo off; nil without a terminal.
enum SecretPrompt {
    @Sendable static func ask(_ question: String) -> String? {
        // A process whose input is not a terminal (a plan step's child, a scheduled job) is not asked:
        // it would wait on a terminal nobody watches.
        guard isatty(STDIN_FILENO) == 1 else { return nil }
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(fd, TCSANOW, &quiet)
        defer {
            tcsetattr(fd, TCSANOW, &saved)
            _ = write(fd, "\n", 1)
        }
        _ = question.withCString { write(fd, $0, strlen($0)) }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
        return String(decoding: line, as: UTF8.self)
    }
}
