import Foundation
@testable import LifeboatKit
import Testing

/// Placeholder values in shell lines are data: every hostile value, in every place a placeholder can
/// stand, reaches the command as the exact text, and nothing in it runs. Each line runs in real bash.
@Suite("Placeholder values are quoted for the shell")
struct ShellSubstitutionTests {
    /// Values that run `touch PWNED` when pasted into a shell line as they are.
    static let hostile = [
        "10.0.0.7; touch PWNED", "$(touch PWNED)", "`touch PWNED`", "x' ; touch PWNED; '", "x\"; touch PWNED; \"",
        "a\ntouch PWNED", "a && touch PWNED", "a | touch PWNED", "$(touch PWNED)'\"`touch PWNED`", "\\\"; touch PWNED #",
        "' \"$(touch PWNED)\" '", "a\\", "*", "~", "A=b", "${IFS}touch${IFS}PWNED", "-n", "", "  two  spaces  ", "ünïcode ✓",
    ]

    /// Lines that print the value between `[` and `]`, with it in each kind of place.
    static let lines = [
        "printf '[%s]' {{v}}",
        "printf '[%s]' \"{{v}}\"",
        "printf '[%s]' '{{v}}'",
        "printf '[%s]' $'{{v}}'",
        "printf '[%s]' \"$(printf '%s' {{v}})\"",
        "printf '[%s]' \"$(printf '%s' \"{{v}}\")\"",
        "x={{v}}; printf '[%s]' \"$x\"",
        "printf '[%s]' pre{{v}}post | sed 's/pre//; s/post]$/]/'",
        "printf '[%s]' \"$(cat <<EOF\n{{v}}\nEOF\n)\"",
        "printf '[%s]' \"$(cat <<'EOF'\n{{v}}\nEOF\n)\"",
        "printf '[%s]' {{v}} # {{v}}",
    ]

    private func bash(_ line: String, in folder: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", line]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test("every hostile value, in every kind of place, prints as itself and runs nothing", arguments: lines)
    func hostileValues(line: String) throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for value in Self.hostile {
            // A here-document holds the value's lines, and a line break in it is refused there (below).
            if line.contains("<<") && value.contains("\n") { continue }
            let filled = try ShellSubstitution.fill(line) { $0 == "v" ? value : nil }
            let printed = try bash(filled, in: folder)
            #expect(!FileManager.default.fileExists(atPath: "\(folder)/PWNED"), "\(value.debugDescription) ran code in \(filled.debugDescription)")
            #expect(printed == "[\(value)]", "\(value.debugDescription) in \(line.debugDescription) became \(filled.debugDescription)")
        }
    }

    @Test("plain values (addresses, host names, paths) are written as they are")
    func plainValues() throws {
        let filled = try ShellSubstitution.fill("ssh {{host}} \"cd {{dir}}\" && echo '{{port}}'") {
            ["host": "10.0.0.7", "dir": "/srv/app-1/data", "port": "5432"][$0]
        }
        #expect(filled == "ssh 10.0.0.7 \"cd /srv/app-1/data\" && echo '5432'")
    }

    @Test("backquotes and arithmetic take plain values and whole numbers only; a here-document no line breaks")
    func refusedPlaces() throws {
        let backquoted = #expect(throws: LifeboatError.self) { try ShellSubstitution.fill("echo `echo {{v}}`") { _ in "a; touch PWNED" } }
        #expect(backquoted?.message.contains("write $(…) instead") == true, "\(backquoted?.message ?? "")")
        #expect(try ShellSubstitution.fill("echo `echo {{v}}`") { _ in "10.0.0.7" } == "echo `echo 10.0.0.7`")
        let arithmetic = #expect(throws: LifeboatError.self) { try ShellSubstitution.fill("echo $(( {{n}} + 1 ))") { _ in "a[$(touch PWNED)]" } }
        #expect(arithmetic?.message.contains("only a whole number is safe") == true)
        #expect(try ShellSubstitution.fill("echo $(( {{n}} + 1 ))") { _ in "41" } == "echo $(( 41 + 1 ))")
        #expect(throws: LifeboatError.self) { try ShellSubstitution.fill("cat <<EOF\n{{v}}\nEOF") { _ in "a\nEOF\ntouch PWNED" } }
    }

    @Test("a resolved plan quotes --var values in run lines, rollbacks, shell probes and `[sh, -c, …]`; env values stay exact")
    func resolvedPlan() throws {
        let plan = try Plan.parse(yaml: planYAML("""
              - id: switch
                run: "echo switching to {{host}}"
                env: { STANDBY: "{{host}}" }
                rollback: "echo back from '{{host}}'"
              - id: listed
                run: [sh, -c, "echo {{host}}", "{{host}}"]
              - id: up
                wait: { command: "test \\"{{host}}\\" != x" }

            """), file: planFile, config: planConfig)
        let value = "10.0.0.7; touch /tmp/pwned"
        let resolved = try plan.resolved(with: ["host": value, "target": "/mnt/dr"])
        #expect(resolved.steps[0].action.command?.argv[2] == "echo switching to '10.0.0.7; touch /tmp/pwned'")
        #expect(resolved.steps[0].action.command?.environment["STANDBY"] == value)
        #expect(resolved.steps[0].rollback?.argv[2] == "echo back from '10.0.0.7; touch /tmp/pwned'")
        #expect(resolved.steps[1].action.command?.argv == ["sh", "-c", "echo '10.0.0.7; touch /tmp/pwned'", value])
        #expect(resolved.steps[2].action.probe == .command(.shell(#"test "10.0.0.7; touch /tmp/pwned" != x"#)))
    }
}
