extension PlanStep {
    /// Checks the step graph as a whole: ids are unique, every need names another step, and no
    /// steps need each other in a cycle.
    ///
    /// All such problems are reported together, one `file:line: key.path: …` line each in file
    /// order, since fixing one at a time would take as many runs as there are problems.
    /// - Throws: `LifeboatError` (`.configuration`) listing them.
    static func checkGraph(_ steps: [Parsed]) throws {
        var problems: [(line: Int, message: String)] = []
        func report(_ error: LifeboatError, line: Int) { problems.append((line, error.message)) }

        var firstIndex: [String: Int] = [:]
        for (index, parsed) in steps.enumerated() {
            let id = parsed.step.id
            if let first = firstIndex[id] {
                report(parsed.idNode.error("duplicate step id \"\(id)\" (also at line \(steps[first].idNode.line)); "
                    + "give each step its own id"), line: parsed.idNode.line)
            } else {
                firstIndex[id] = index
            }
        }
        let ids = steps.map(\.step.id)
        for parsed in steps {
            guard let needsNode = parsed.needsNode else { continue }
            for need in parsed.needs {
                if need.id == parsed.step.id {
                    report(needsNode.error("step \"\(need.id)\" needs itself; remove it from needs", line: need.node.line),
                           line: need.node.line)
                } else if firstIndex[need.id] == nil {
                    let others = ids.indices.filter { firstIndex[ids[$0]] == $0 && ids[$0] != parsed.step.id }.map { ids[$0] }
                    report(needsNode.error("unknown step \"\(need.id)\"; \(ConfigNode.hint(need.id, among: others))"
                        + "(steps: \(others.joined(separator: ", ")))", line: need.node.line), line: need.node.line)
                }
            }
        }
        for cycle in cycles(steps, firstIndex: firstIndex) {
            let start = steps[cycle[0]]
            let next = steps[cycle[1 % cycle.count]].step.id
            let node = start.needs.first { $0.id == next }!.node
            let text = (cycle + [cycle[0]]).map { steps[$0].step.id }.joined(separator: " -> ")
            report(start.needsNode!.error("cycle: \(text) (each step needs the next); remove one of these needs",
                                          line: node.line), line: node.line)
        }
        guard !problems.isEmpty else { return }
        let sorted = problems.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
        throw LifeboatError(.configuration, sorted.map(\.element.message).joined(separator: "\n"))
    }

    /// Cycles among the steps' needs (self-needs and unknown ids left out), as step indices starting
    /// with the earliest step in file order; one per group of steps, shortest first found.
    private static func cycles(_ steps: [Parsed], firstIndex: [String: Int]) -> [[Int]] {
        let edges = steps.enumerated().map { index, parsed in
            parsed.needs.compactMap { firstIndex[$0.id] }.filter { $0 != index }
        }
        var inCycle = Set<Int>()
        var found: [[Int]] = []
        for start in steps.indices where !inCycle.contains(start) {
            guard let cycle = shortestCycle(from: start, edges: edges), inCycle.isDisjoint(with: cycle) else { continue }
            found.append(cycle)
            inCycle.formUnion(cycle)
        }
        return found
    }

    /// The shortest path from `start` back to itself (breadth first), without repeating `start`.
    private static func shortestCycle(from start: Int, edges: [[Int]]) -> [Int]? {
        var parent: [Int: Int] = [:]
        var queue = [start]
        var head = 0
        while head < queue.count {
            let current = queue[head]
            head += 1
            for next in edges[current] {
                if next == start {
                    var path = [current]
                    while let previous = parent[path[0]] { path.insert(previous, at: 0) }
                    return path
                }
                guard parent[next] == nil, next != start else { continue }
                parent[next] = current
                queue.append(next)
            }
        }
        return nil
    }
}
