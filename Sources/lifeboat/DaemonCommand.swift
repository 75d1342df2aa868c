import ArgumentParser
import Foundation
import LifeboatKit

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run due jobs every minute in one long-lived process.",
        discussion: """
        The run-due loop in-process. SIGTERM or SIGINT stops it after the running jobs finish; a second \
        signal exits at once (a backup that has not committed leaves nothing visible and is cleaned up \
        by the next one).
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Services backed up at the same time.")
    var concurrency = 2

    @Option(help: ArgumentHelp("Rewrite Prometheus metrics here after every cycle (node_exporter textfile format).", valueName: "file"))
    var metricsFile: String?

    @Option(help: ArgumentHelp("Serve GET /metrics on this loopback address (e.g. 127.0.0.1:9187).", valueName: "host:port"))
    var metricsListen: String?

    @Flag(help: "Print job outcomes as JSON lines.")
    var json = false

    func run() async throws {
        let workspace = try global.workspace(needingServicesTo: "schedule")
        let stop = StopSignal()
        let server = try metricsListen.map { address in
            try MetricsServer(listen: address) { workspace.metricsText(now: Date()) }
        }
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if stop.request() > 1 { Foundation.exit(ExitStatus.interrupted) }
            }
            source.resume()
            sources.append(source)
        }
        if let server { Terminal.warn("serving metrics on 127.0.0.1:\(server.port)/metrics") }
        let json = json
        Daemon(workspace: workspace, concurrency: concurrency, metricsFile: metricsFile).run(stop: stop) { outcomes in
            RunDueCommand.report(outcomes, json: json)
        }
        withExtendedLifetime((sources, server)) {}
    }
}
