import Foundation
import LifeboatKit
import Testing

/// The file name plans are parsed under in tests; messages start with it.
let planFile = "Plans/files-recovery.yaml"

/// A configuration with three file services (`files`, `app`, `db`) and the built-in tiers.
let planConfig = LifeboatConfig(
    filePath: "/etc/lifeboat/lifeboat.yaml", repository: "/var/lib/lifeboat", catalog: "/var/lib/lifeboat.sqlite",
    services: ["files", "app", "db"].map { Service(name: $0, source: .files(paths: ["/srv/\($0)"], exclude: [])) })

/// The message of the configuration error that parsing `yaml` as a plan throws (empty when none).
func planError(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    let error = #expect(throws: LifeboatError.self, sourceLocation: sourceLocation) {
        try Plan.parse(yaml: yaml, file: planFile, config: planConfig)
    }
    #expect(error?.code == .configuration, sourceLocation: sourceLocation)
    return error?.message ?? ""
}

/// Expects `message` to start with `file:line: keyPath: ` and to contain each of `parts`.
func expectAt(
    _ message: String, file: String = planFile, line: Int, keyPath: String, _ parts: String...,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(message.hasPrefix("\(file):\(line): \(keyPath): "), "\(message)", sourceLocation: sourceLocation)
    for part in parts {
        #expect(message.contains(part), "\(message)\n  lacks: \(part)", sourceLocation: sourceLocation)
    }
}

/// A plan file's text: a fixed header (6 lines: name, tier, services, vars with `target` and `host`)
/// and then `steps:` on line 7, so the first step starts on line 8.
func planYAML(_ steps: String) -> String {
    """
    name: files-recovery
    tier: tier-2-important
    services: [files, app]
    vars:
      target: /
      host: null
    steps:

    """ + steps
}

/// A fresh temporary folder; the caller removes it.
func makeTemporaryFolder() throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-plans-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
}

extension StepAction {
    var command: CommandSpec? { if case .run(let command) = self { command } else { nil } }
    var restore: RestoreStep? { if case .restore(let restore) = self { restore } else { nil } }
    var verify: VerifyStep? { if case .verify(let verify) = self { verify } else { nil } }
    var probe: Probe? { if case .wait(let probe, _) = self { probe } else { nil } }
    var interval: LifeboatDuration? { if case .wait(_, let interval) = self { interval } else { nil } }
    var prompt: String? { if case .approval(let prompt) = self { prompt } else { nil } }
}
