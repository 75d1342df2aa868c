import Foundation

/// A temp folder removed when the test is done.
public final class TempFolder {
    public let path: String

    public init() throws {
        path = "\(NSTemporaryDirectory())lifeboat-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes a text file into the folder and returns its path.
    public func write(_ name: String, _ text: String) throws -> String {
        let file = "\(path)/\(name)"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Runs a bash command in the folder; its status and combined output.
    public func shell(_ command: String) throws -> (status: Int32, output: String) {
        try LifeboatTestSupport.shell(command, in: path)
    }
}

/// Runs a command line with bash (in `directory`, with `environment` added to this process's) and
/// returns its status and combined output.
@discardableResult
public func shell(_ command: String, environment: [String: String] = [:], in directory: String? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", command]
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
