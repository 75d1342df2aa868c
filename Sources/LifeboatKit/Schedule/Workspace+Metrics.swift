import Foundation
import Glibc

extension Workspace {
    /// Prometheus text exposition of every service's state: last success per kind, the newest
    /// backup's duration and sizes, RPO and headroom, and failed job runs. Written for node_exporter's
    /// textfile collector (`--metrics-file`) and served by the daemon's `/metrics`.
    public func metricsText(now: Date) -> String {
        var lines: [String] = []
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Double)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for sample in samples { lines.append("\(name){\(sample.labels)} \(Self.format(sample.value))") }
        }
        var lastSuccess: [(String, Double)] = [], duration: [(String, Double)] = [], read: [(String, Double)] = []
        var stored: [(String, Double)] = [], rpo: [(String, Double)] = [], headroom: [(String, Double)] = []
        var failures: [(String, Double)] = []
        let failed = (try? catalog.jobs(outcomes: ["failed"], since: "")) ?? []
        for service in config.services {
            let label = "service=\"\(Self.escape(service.name))\""
            let records = (try? recentBackups(service: service.name).records) ?? []
            for kind in [BackupRecord.Kind.full, .incremental] {
                if let newest = records.last(where: { $0.kind == kind }), let finished = newest.finishedDate {
                    lastSuccess.append(("\(label),kind=\"\(kind.rawValue)\"", finished.timeIntervalSince1970))
                }
            }
            if let verified = lastVerification(of: service.name) {
                lastSuccess.append(("\(label),kind=\"verify\"", verified.timeIntervalSince1970))
            }
            if let newest = records.last, let seconds = newest.durationSeconds {
                duration.append((label, seconds))
                read.append((label, Double(newest.stats.bytesRead)))
                stored.append((label, Double(newest.stats.bytesStored)))
            }
            if let status = try? status(of: service, now: now) {
                rpo.append((label, status.rpoSeconds))
                if let value = status.rpoHeadroomSeconds { headroom.append((label, value)) }
            }
            for kind in ["backup", "verify", "prune"] {
                let count = failed.filter { $0.service == service.name && $0.kind == kind }.count
                failures.append(("\(label),kind=\"\(kind)\"", Double(count)))
            }
        }
        family("lifeboat_last_success_timestamp_seconds", "gauge", "When the newest successful backup (by kind) or verification finished.", lastSuccess)
        family("lifeboat_backup_duration_seconds", "gauge", "Wall time of the newest backup.", duration)
        family("lifeboat_backup_read_bytes", "gauge", "Bytes the newest backup read from its sources.", read)
        family("lifeboat_backup_stored_bytes", "gauge", "Bytes the newest backup wrote to the repository.", stored)
        family("lifeboat_rpo_seconds", "gauge", "The service's recovery point objective.", rpo)
        family("lifeboat_rpo_headroom_seconds", "gauge", "RPO minus the age of the newest good backup (negative: breached).", headroom)
        family("lifeboat_job_failures", "gauge", "Failed job runs recorded in the catalog.", failures)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `metricsText` to `path` atomically (temp file + rename), as the textfile collector needs.
    public func writeMetrics(to path: String, now: Date) throws {
        let temp = "\(path).tmp-\(getpid())"
        do {
            try Data(metricsText(now: now).utf8).write(to: URL(fileURLWithPath: temp))
            if rename(temp, path) != 0 { throw LifeboatError(.io, "cannot rename \(temp) to \(path): \(String(cString: strerror(errno)))") }
        } catch let error as LifeboatError {
            throw error
        } catch {
            throw LifeboatError(.io, "cannot write metrics to \(path): \(error.localizedDescription); check that its folder exists and is writable", cause: error)
        }
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
