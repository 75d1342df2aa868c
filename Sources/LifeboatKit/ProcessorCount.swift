import Foundation

/// How many cores this process may really use: the CPUs in its affinity mask (`taskset`, cpusets),
/// capped by a cgroup v2 CPU quota (`cpu.max`, as containers set it). `activeProcessorCount` counts
/// the machine's cores, which would over-subscribe a pinned or limited process.
public enum ProcessorCount {
    public static let usable: Int = {
        var count = ProcessInfo.processInfo.activeProcessorCount
        // The affinity mask as the kernel reports it ("Cpus_allowed:\tff,ffffffff"): one bit per CPU.
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) {
            let hex = line.dropFirst("Cpus_allowed:".count).filter { $0.isHexDigit }
            let bits = hex.reduce(0) { $0 + (Int(String($1), radix: 16) ?? 0).nonzeroBitCount }
            if bits > 0 { count = min(count, bits) }
        }
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/cpu.max", encoding: .utf8) {
            let parts = text.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            if parts.count == 2, let quota = Double(parts[0]), let period = Double(parts[1]), period > 0 {
                count = min(count, max(1, Int((quota / period).rounded(.up))))
            }
        }
        return max(1, count)
    }()

    /// Threads for parallel work: the usable cores, at most `limit`.
    public static func workers(limit: Int = 4) -> Int { min(limit, usable) }
}
