import LifeboatKit
import Testing

/// The path the tests parse under; messages start with it.
let configPath = "/etc/lifeboat/lifeboat.yaml"

/// The message of the `LifeboatError` that parsing `yaml` throws (empty when it does not throw).
func configError(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    let error = #expect(throws: LifeboatError.self, sourceLocation: sourceLocation) {
        try LifeboatConfig.parse(yaml: yaml, path: configPath)
    }
    #expect(error?.code == .configuration, sourceLocation: sourceLocation)
    return error?.message ?? ""
}

/// Expects `message` to start with `path:line: keyPath: ` and to contain each of `parts`.
func expectLocated(
    _ message: String, line: Int, keyPath: String, _ parts: String...,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(message.hasPrefix("\(configPath):\(line): \(keyPath): "), "\(message)", sourceLocation: sourceLocation)
    for part in parts {
        #expect(message.contains(part), "\(message)\n  lacks: \(part)", sourceLocation: sourceLocation)
    }
}
