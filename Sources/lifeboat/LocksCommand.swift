import ArgumentParser
import LifeboatKit

struct LocksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locks",
        abstract: "List the repository's service locks: who holds them, since when, and whether they are live."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print one JSON object per lock.")
    var json = false

    func run() async throws {
        let workspace = try global.workspace()
        let locks = try workspace.repository.store.locks()
        if json {
            for lock in locks { try Terminal.json(lock) }
            return
        }
        guard !locks.isEmpty else {
            Terminal.line("No locks.")
            return
        }
        var rows = [["SERVICE", "STATE", "HOLDER"]]
        for lock in locks { rows.append([lock.service, lock.held ? "held" : "free", lock.lease.isEmpty ? "-" : lock.lease]) }
        Terminal.table(rows)
    }
}
