import Foundation
import Testing
@testable import LifeboatKit

/// Large configurations load in time linear in their size: what used to cost per service (measuring
/// a tier's incremental cadence against its RPO, about 2 ms each) is done once per schedule.
@Suite("Config at scale: 20,000 services")
struct ConfigScaleTests {
    static let count = 20_000

    /// `count` services spread over the three built-in tiers and one tier of the file's own.
    static let yaml: String = {
        var text = "tiers:\n  berlin: { rto: 4h, rpo: 2h, full: \"0 1 * * *\", incremental: \"0 * * * *\", timezone: Europe/Berlin }\n"
        text += "services:\n"
        let tiers = ["tier-1-critical", "tier-2-important", "tier-3-standard", "berlin"]
        for i in 0..<count {
            text += "  svc-\(i):\n    tier: \(tiers[i % tiers.count])\n    source: { type: files, paths: [/srv/app\(i)], exclude: [\"*.tmp\"] }\n"
        }
        // One service changes its own cadence: a fifth schedule to measure.
        text += "  own-cadence:\n    source: { type: files, paths: [/srv/own] }\n    incremental: \"*/10 * * * *\"\n    rpo: 10m\n"
        return text
    }()

    @Test("every service is read, in file order, and each distinct schedule is measured once for the policy warnings")
    func loadsAndMeasuresOncePerSchedule() throws {
        let config = try LifeboatConfig.parse(yaml: Self.yaml, path: configPath)
        #expect(config.services.count == Self.count + 1)
        #expect(config.services[4_321].name == "svc-4321" && config.services[4_321].source.paths == ["/srv/app4321"])
        #expect(config.services.last?.name == "own-cadence")
        var intervals = ScheduleIntervals()
        let warnings = config.policyWarnings(measuredDurations: [:], intervals: &intervals)
        #expect(warnings.isEmpty, "\(warnings.prefix(3))")
        // Four tiers and one override: five (schedule, time zone) pairs, not one per service.
        #expect(intervals.measured == 5)
        // A measured duration still counts per service.
        let slow = config.policyWarnings(measuredDurations: ["svc-1": .minutes(14)])
        #expect(slow == ["service svc-1: incrementals every 5m plus its measured backup duration of 14m cannot meet its RPO of 15m; "
            + "run them at least every 1m, make the backup faster, or raise the RPO"])
    }
}
