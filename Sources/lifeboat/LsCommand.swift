import ArgumentParser
import Foundation
import LifeboatKit

struct LsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List what a recovery point holds, from its manifest (nothing is restored).",
        discussion: """
        Without PATH, the backed-up paths; with PATH (as on the backed-up host, e.g. /srv/app/etc), a \
        folder's entries or a file itself. --recursive lists everything below. --long adds type and mode, \
        owner, size, modification time and SHA-256.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The service.")
    var service: String

    @Argument(help: "A path in the backup (default: its top).")
    var path: String?

    @OptionGroup var point: RecoveryPointOptions

    @Flag(name: .shortAndLong, help: "Everything below the path, not only its entries.")
    var recursive = false

    @Flag(name: .shortAndLong, help: "Type and mode, owner, size, modification time, SHA-256.")
    var long = false

    @Flag(help: "Print one JSON object per entry.")
    var json = false

    func run() async throws {
        let workspace = try global.workspace()
        let browser = BackupBrowser(repository: workspace.repository)
        let tree = try path.flatMap { $0.allSatisfy { $0 == "/" } ? nil : try PathSelection([$0], option: "PATH").requested[0] }
        try browser.list(service: service, selector: point.selector, at: tree, recursive: recursive) { entry in
            if json {
                try Terminal.json(entry)
            } else if long {
                Terminal.line(Self.longLine(entry))
            } else {
                Terminal.line(entry.path + (entry.type == "dir" ? "/" : ""))
            }
        }
    }

    /// `drwxr-xr-x  root/root  4096  2026-12-04T18:00:00Z  SHA-256  /srv/app/etc/ [-> target]`.
    static func longLine(_ entry: BrowseEntry) -> String {
        let type = ["dir": "d", "symlink": "l", "hardlink": "h"][entry.type] ?? "-"
        let bits = UInt32(entry.mode, radix: 8) ?? 0
        var mode = type
        for (index, letter) in "rwxrwxrwx".enumerated() { mode.append(bits & (0o400 >> UInt32(index)) != 0 ? letter : Character("-")) }
        let owner = "\(entry.user ?? String(entry.uid))/\(entry.group ?? String(entry.gid))"
        let link = entry.target.map { entry.type == "symlink" ? " -> \($0)" : " => \($0)" } ?? ""
        return [mode, owner, String(entry.size), entry.mtime, entry.sha256 ?? "-", entry.path + (entry.type == "dir" ? "/" : "") + link]
            .joined(separator: "  ")
    }
}
