import Foundation

/// How application checks are kept away from production while they run against a restored copy. Where
/// the kernel allows it (root, or unprivileged user namespaces), each check runs in private mount,
/// network and PID namespaces (`unshare -m -n -p`) with only a loopback interface, so restored software
/// cannot reach production services and nothing it starts outlives it. Otherwise checks run as ordinary child processes, and the record says so:
/// the downgrade is never silent.
public enum Isolation {
    public static let namespaces = "namespaces: private mount, network (loopback only) and PID"
    public static let none = "none: this host does not allow unshare; checks ran as plain processes"

    /// The level this process can obtain, probed once.
    public static let available: String = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return none }
        let arguments = (geteuid() == 0 ? [] : ["-r"]) + ["-m", "-n", "-p", "--fork", "--kill-child", "true"]
        let probe = ChildProcess.run(["/usr/bin/unshare"] + arguments, environment: ["PATH": GroupProcess.minimalPath], timeout: 10)
        return probe.succeeded ? namespaces : none
    }()

    /// The argument vector that runs `command` through `sh -c` at the available isolation level.
    static func wrap(_ command: String) -> [String] {
        guard available == namespaces else { return ["/bin/sh", "-c", command] }
        // A private PID namespace too, whose processes all die with it (--kill-child): a check that
        // times out leaves nothing running.
        let prefix = (geteuid() == 0 ? ["/usr/bin/unshare"] : ["/usr/bin/unshare", "-r"]) + ["-m", "-n", "-p", "--fork", "--kill-child"]
        // Bring up loopback inside the new network namespace (it starts down); no other interface exists.
        return prefix + ["/bin/sh", "-c", "ip link set lo up 2>/dev/null; exec /bin/sh -c \"$0\"", command]
    }
}
