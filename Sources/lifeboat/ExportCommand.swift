import ArgumentParser
import Foundation
import Glibc
import LifeboatKit
import LifeboatNative

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one backup as a plain tar.zst archive (decrypted, the whole tree) for use without Lifeboat.",
        discussion: """
        lifeboat export app > app.tar.zst, then zstd -d < app.tar.zst | tar -x. The backup is restored into a \
        scratch folder first (in $TMPDIR, or --scratch), so that folder needs room for the tree.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The service to export.")
    var service: String

    @Option(help: ArgumentHelp("Export this backup (default: the newest).", valueName: "id"))
    var backup: String?

    @Option(help: ArgumentHelp("Write to this file (written beside it and renamed when complete) instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Where to restore the backup before archiving it (default: $TMPDIR or /tmp).", valueName: "dir"))
    var scratch: String?

    func run() async throws {
        let workspace = try global.workspace()
        let configured = try workspace.config.service(named: service)
        let selector: BackupSelector = backup.map { .id($0) } ?? .latest
        guard let output else {
            guard isatty(STDOUT_FILENO) == 0 else {
                throw LifeboatError(.usage, "export writes a binary archive; redirect standard output to a file (lifeboat export \(service) > \(service).tar.zst) or use --output FILE")
            }
            let result = try workspace.export(service: configured, selector: selector, to: StandardOutputSink(), scratchParent: scratch)
            Terminal.status("Exported backup \(result.backup) of \(service): \(result.entries) entries, \(Terminal.bytes(result.bytes))")
            return
        }
        let folder = (output as NSString).deletingLastPathComponent
        let temporary = "\(folder.isEmpty ? "." : folder)/.\((output as NSString).lastPathComponent).\(getpid()).tmp"
        do {
            let sink = try FileSink(creating: temporary, mode: 0o600)
            let result = try workspace.export(service: configured, selector: selector, to: sink, scratchParent: scratch)
            _ = try sink.finish()
            guard rename(temporary, output) == 0 else {
                throw LifeboatError(.io, "cannot move the export into place at \(output): \(String(cString: strerror(errno)))")
            }
            Terminal.line("Exported backup \(result.backup) of \(service) to \(output): \(result.entries) entries, \(Terminal.bytes(result.bytes))")
        } catch {
            unlink(temporary)
            if let error = error as? LifeboatError { throw error }
            throw LifeboatError(.io, "cannot write the export to \(output): \(error)", cause: error)
        }
    }
}

/// Standard output as a byte sink (for `export > file`).
final class StandardOutputSink: ByteSink {
    func write(_ buffer: UnsafeRawBufferPointer) throws {
        guard var base = buffer.baseAddress else { return }
        var left = buffer.count
        while left > 0 {
            let n = Glibc.write(STDOUT_FILENO, base, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw LifeboatError(.io, "cannot write to standard output: \(String(cString: strerror(errno)))")
            }
            left -= n
            base += n
        }
    }
}
