import Foundation

/// The RPO over a window, from recovery points: at any moment the exposure is the age of the newest
/// recovery point available then (age counted from when its backup *started* reading, since the
/// newest data it can hold is from after that).
struct RecoveryTimeline {
    struct Point {
        /// The backup's id, for the evidence.
        var id: String
        /// When the data of the point is from (the backup's start).
        var time: Date
        /// When the point could be restored: its backup finished (or, for verified RPO, its first
        /// passing verification finished).
        var available: Date
    }

    struct Figures {
        var currentExposure: Double?
        var worstGap: Double?
        var worstGapEnded: Date?
        /// The point in effect during the worst gap, and the one whose arrival ended it (nil: `at` did).
        var worstGapFrom: String?
        var worstGapTo: String?
        var newestID: String?
        var compliantShare: Double
        var recoveryPoints: Int
        var newest: Date?
        /// (time, age) at the start and end of each stretch between two points becoming available.
        var ageSeries: [(Date, Double)]
    }

    /// At most this many age samples per series (chart resolution).
    static let seriesLimit = 400

    static func figures(_ points: [Point], target: Double, windowStart: Date, at: Date) -> Figures {
        let available = points.filter { $0.available <= at }.sorted { $0.available < $1.available }
        var current = available.filter { $0.available <= windowStart }.max { $0.time < $1.time }
        var counted = current == nil ? 0 : 1
        var compliant = 0.0
        var worst: (age: Double, end: Date, from: String, to: String?)?
        var series: [(Date, Double)] = []

        func stretch(to end: Date, from start: Date, endedBy next: String?) {
            guard end > start, let newest = current?.time, let id = current?.id else { return }
            let startAge = start.timeIntervalSince(newest), endAge = end.timeIntervalSince(newest)
            compliant += min(max(newest.timeIntervalSince(start) + target, 0), end.timeIntervalSince(start))
            if worst.map({ endAge > $0.age }) ?? true { worst = (endAge, end, id, next) }
            series.append((start, startAge))
            series.append((end, endAge))
        }

        var cursor = windowStart
        for point in available where point.available > windowStart {
            stretch(to: point.available, from: cursor, endedBy: point.id)
            cursor = point.available
            if current.map({ point.time > $0.time }) ?? true { current = point }
            counted += 1
        }
        stretch(to: at, from: cursor, endedBy: nil)
        let window = at.timeIntervalSince(windowStart)
        return Figures(currentExposure: current.map { at.timeIntervalSince($0.time) }, worstGap: worst?.age, worstGapEnded: worst?.end,
                       worstGapFrom: worst?.from, worstGapTo: worst?.to, newestID: current?.id,
                       compliantShare: window > 0 ? min(1, compliant / window) : 0, recoveryPoints: counted,
                       newest: current?.time, ageSeries: thinned(series))
    }

    /// Keeps the series within `seriesLimit` samples: per time bucket, its lowest and highest age.
    private static func thinned(_ series: [(Date, Double)]) -> [(Date, Double)] {
        guard series.count > seriesLimit, let first = series.first?.0, let last = series.last?.0 else { return series }
        let buckets = seriesLimit / 2
        let width = max(last.timeIntervalSince(first) / Double(buckets), 1)
        var kept: [(Date, Double)] = []
        var index = 0
        while index < series.count {
            let bucket = Int(series[index].0.timeIntervalSince(first) / width)
            var low = series[index], high = series[index]
            while index < series.count, Int(series[index].0.timeIntervalSince(first) / width) == bucket {
                if series[index].1 < low.1 { low = series[index] }
                if series[index].1 > high.1 { high = series[index] }
                index += 1
            }
            kept += low.0 <= high.0 ? [low, high] : [high, low]
        }
        return kept
    }
}
