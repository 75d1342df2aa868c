@testable import LifeboatKit
import Testing

extension FuzzTests {
    @Test("restoring a hand-made archive and its manifest never writes outside the target nor hangs")
    func restoreOfHandMadeArchives() throws {
        let sandbox = try RestoreSandbox()
        defer { sandbox.remove() }
        let words = ["dir ", "file ", "symlink ", "hardlink ", "char ", "block ", "fifo ", "archive: ", "manifest: ", "root ",
                     " size=", " sparse=", "$OUTSIDE", "srv/app/", "\n", "\\s", "\\n", "\\x1b", "../", "/tmp/", "canary.txt"]
        var driver = FuzzDriver(target: "restore", corpus: try FuzzCorpus.inputs("restore"), dictionary: words)
        driver.maxInputSize = 16 * 1024
        driver.slowInput = .seconds(10)  // a restore does real disk work: thousands of nested folders take seconds
        // The harness itself: the sample backup restores in every mode.
        let sample = try #require(try FuzzCorpus.inputs("restore").first { $0.starts(with: "# The full backup of Fixtures/repository-v1".utf8) })
        for mode in [RestoreMode.emptyTarget, .force, .exact] {
            #expect(sandbox.restore(sample, mode: mode) == nil && sandbox.restored == 1, "the sample does not restore --\(mode)")
            sandbox.restored = 0
        }
        expectNoFailures(driver) { sandbox.restore($0) }
        #expect(sandbox.restored > 0, "no fuzzed restore succeeded")
    }
}
