/// The step graph of a validated plan: the order steps can run in, and how long the rest takes.
///
/// Runners use `order` and `groups` to show a plan, `remaining` to tell while it runs whether the RTO
/// still fits, and `dependents` to skip what a failed step leaves without its needs. Estimates are
/// seconds per step id; a step without one is estimated at its whole timeout.
public struct PlanGraph: Sendable {
    /// Step ids in file order.
    private let ids: [String]
    /// For each step (by index), the indices of the steps it needs.
    private let needs: [[Int]]
    private let timeouts: [Double]

    /// Builds the graph of `plan`, which must be valid (as `Plan.parse` returns it): needs of unknown
    /// steps are ignored, and steps caught in a cycle come last in `order`.
    public init(_ plan: Plan) {
        ids = plan.steps.map(\.id)
        var index: [String: Int] = [:]
        for (position, id) in ids.enumerated() where index[id] == nil { index[id] = position }
        needs = plan.steps.enumerated().map { position, step in
            step.needs.compactMap { index[$0] }.filter { $0 != position }
        }
        timeouts = plan.steps.map { Double($0.effectiveTimeout.seconds) }
        orderIndices = Self.topologicalOrder(needs)
    }

    /// `order` as step indices.
    private let orderIndices: [Int]

    /// The step ids in an order that runs each after its needs; among steps that are ready at the
    /// same time, the earlier one in the file comes first.
    public var order: [String] { orderIndices.map { ids[$0] } }

    private static func topologicalOrder(_ needs: [[Int]]) -> [Int] {
        var placed = [Bool](repeating: false, count: needs.count)
        var order: [Int] = []
        while order.count < needs.count {
            guard let next = needs.indices.first(where: { !placed[$0] && needs[$0].allSatisfy { placed[$0] } })
                ?? needs.indices.first(where: { !placed[$0] }) else { break }
            placed[next] = true
            order.append(next)
        }
        return order
    }

    /// Steps that can run side by side: a step's depth is 0 without needs, else one more than the
    /// deepest step it needs; each group holds one depth, in file order.
    public var groups: [[String]] {
        var depth = [Int](repeating: 0, count: ids.count)
        for index in orderIndices {
            depth[index] = needs[index].map { depth[$0] + 1 }.max() ?? 0
        }
        guard let deepest = depth.max() else { return [] }
        return (0...deepest).map { level in ids.indices.filter { depth[$0] == level }.map { ids[$0] } }
    }

    /// The longest chain of steps by summed estimates: what the plan takes at best, however many
    /// steps run at once. Among equal chains, the one with earlier steps in the file wins.
    public func criticalPath(estimates: [String: Double]) -> (steps: [String], seconds: Double) {
        let (finish, previous) = longestPaths { estimate($0, estimates) }
        guard let end = ids.indices.max(by: { finish[$0] < finish[$1] || (finish[$0] == finish[$1] && $0 > $1) }) else {
            return ([], 0)
        }
        var path = [end]
        while let before = previous[path[0]] { path.insert(before, at: 0) }
        return (path.map { ids[$0] }, finish[end])
    }

    /// The longest remaining chain from now, in seconds: finished steps cost nothing, a running step
    /// its estimate less the seconds it has run (`running[id]`, never below 0), a pending step its
    /// estimate. Elapsed time plus this, against the RTO, says whether the plan is still on track.
    public func remaining(estimates: [String: Double], finished: Set<String>, running: [String: Double]) -> Double {
        let (finish, _) = longestPaths { index in
            let id = ids[index]
            if finished.contains(id) { return 0 }
            if let elapsed = running[id] { return max(estimate(index, estimates) - elapsed, 0) }
            return estimate(index, estimates)
        }
        return finish.max() ?? 0
    }

    /// Every step that needs `id`, directly or through others, in `order`: what cannot run once
    /// `id` has failed.
    public func dependents(of id: String) -> [String] {
        guard let start = ids.firstIndex(of: id) else { return [] }
        var affected: Set<Int> = [start]
        var result: [String] = []
        for index in orderIndices where index != start && needs[index].contains(where: affected.contains) {
            affected.insert(index)
            result.append(ids[index])
        }
        return result
    }

    private func estimate(_ index: Int, _ estimates: [String: Double]) -> Double {
        estimates[ids[index]] ?? timeouts[index]
    }

    /// For each step, the cost of the costliest chain ending with it, and the step before it on
    /// that chain (the earliest in the file among equals).
    private func longestPaths(cost: (Int) -> Double) -> (finish: [Double], previous: [Int?]) {
        var finish = [Double](repeating: 0, count: ids.count)
        var previous = [Int?](repeating: nil, count: ids.count)
        for index in orderIndices {
            for need in needs[index].sorted() where previous[index].map({ finish[need] > finish[$0] }) ?? true {
                previous[index] = need
            }
            finish[index] = (previous[index].map { finish[$0] } ?? 0) + cost(index)
        }
        return (finish, previous)
    }
}
