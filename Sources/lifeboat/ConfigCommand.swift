import ArgumentParser
import Foundation
import LifeboatKit

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with the configuration file.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the whole configuration and print what it understood.",
            discussion: """
            Errors exit 2 and name the file, line and key path. A file without services, a schedule that \
            skips months (day 31 in shorter months, February 29th), and a service whose incremental cadence cannot \
            meet its RPO (the interval is longer than the RPO, or than the RPO minus the measured duration \
            of its recent backups, when the repository has some) are warnings; with warnings the command \
            exits 3.
            """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print the understood configuration and warnings as one JSON object.")
        var json = false

        func run() async throws {
            let config = try global.loadConfig()
            let measured = config.measuredBackupDurations()
            let warnings = config.warnings + [config.noServicesWarning].compactMap { $0 }
                + config.policyWarnings(measuredDurations: measured)
            let services = try config.services.map { service -> ServiceSummary in
                let tier = try config.tier(for: service)
                return ServiceSummary(name: service.name, tier: tier.name, source: service.source.typeName, paths: service.source.paths,
                                      rto: tier.rto.description, rpo: tier.rpo.description, full: tier.full.description,
                                      incremental: tier.incremental.description, verify: tier.verify?.description,
                                      drill: tier.drill?.description, timeZone: tier.timeZone.identifier, keep: Self.describe(tier.keep),
                                      measuredBackup: measured[service.name]?.description, copyTo: tier.copyTo)
            }
            if json {
                try Terminal.json(Summary(file: config.filePath, repository: config.repository, catalog: config.catalog,
                                          compressionLevel: config.compressionLevel,
                                          copyTargets: Dictionary(uniqueKeysWithValues: config.repositories.map { ($0.name, $0.location) }),
                                          services: services, warnings: warnings))
            } else {
                Terminal.line("\(config.filePath): valid")
                Terminal.line("  repository \(config.repository)\(Self.describe(config.s3)), catalog \(config.catalog), zstd level \(config.compressionLevel)")
                for target in config.repositories {
                    Terminal.line("  copy target \(target.name): \(target.location)\(Self.describe(target.s3))")
                }
                for s in services {
                    Terminal.line("  \(s.name): \(s.source) \(s.paths.joined(separator: ", "))")
                    Terminal.line("    tier \(s.tier): RTO \(s.rto), RPO \(s.rpo), full \"\(s.full)\", incremental \"\(s.incremental)\", verify \(s.verify.map { "\"\($0)\"" } ?? "off"), drill \(s.drill.map { "\"\($0)\"" } ?? "off"), time zone \(s.timeZone)")
                    Terminal.line("    keep \(s.keep)\(s.measuredBackup.map { ", recent backups take \($0)" } ?? "")")
                    if !s.copyTo.isEmpty { Terminal.line("    copied to \(s.copyTo.joined(separator: ", ")) by run-due") }
                }
                for warning in warnings { Terminal.warn(warning) }
            }
            if !warnings.isEmpty { throw ExitCode(ExitStatus.partial) }
        }

        /// The S3 settings the config sets (credentials never come from it).
        static func describe(_ s3: S3Options) -> String {
            let parts = [s3.endpoint.map { "endpoint \($0)" }, s3.region.map { "region \($0)" },
                         s3.pathStyle.map { $0 ? "path style" : "virtual-hosted style" }, s3.profile.map { "profile \($0)" }].compactMap { $0 }
            return parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
        }

        static func describe(_ keep: KeepPolicy) -> String {
            var parts: [String] = []
            if let n = keep.last { parts.append("last \(n)") }
            if let n = keep.hourly { parts.append("hourly \(n)") }
            if let n = keep.daily { parts.append("daily \(n)") }
            if let n = keep.weekly { parts.append("weekly \(n)") }
            if let n = keep.monthly { parts.append("monthly \(n)") }
            if let n = keep.yearly { parts.append("yearly \(n)") }
            if let d = keep.within { parts.append("within \(d)") }
            for kind in [BackupRecord.Kind.full, .incremental] {
                if let rules = keep.byKind[kind] { parts.append("\(kind.rawValue) backups: \(describe(rules))") }
            }
            return parts.isEmpty ? "(nothing)" : parts.joined(separator: ", ")
        }
    }

    struct ServiceSummary: Encodable {
        let name: String
        let tier: String
        let source: String
        let paths: [String]
        let rto: String
        let rpo: String
        let full: String
        let incremental: String
        let verify: String?
        let drill: String?
        let timeZone: String
        let keep: String
        let measuredBackup: String?
        /// Repositories `run-due` copies this service's backups to.
        let copyTo: [String]
    }

    struct Summary: Encodable {
        let file: String
        let repository: String
        let catalog: String
        let compressionLevel: Int
        /// Named copy targets (`repositories:`) and where they are.
        let copyTargets: [String: String]
        let services: [ServiceSummary]
        let warnings: [String]
    }
}
