import LifeboatKit
import Testing

@Suite("PlanGraph orders steps and measures the critical path")
struct PlanGraphTests {
    /// A diamond written out of order: `a` before `b` and `c`, both before `d`; `e` stands alone.
    /// `d` has a 60 s timeout, the others the run default (10 minutes).
    static let diamond = planYAML("""
          - id: d
            run: x
            needs: [b, c]
            timeout: 60s
          - id: b
            run: x
            needs: a
          - id: c
            run: x
            needs: a
          - id: a
            run: x
          - id: e
            run: x

        """)
    static let estimates: [String: Double] = ["a": 10, "b": 30, "c": 20, "d": 5, "e": 40]

    func graph() throws -> PlanGraph { PlanGraph(try Plan.parse(yaml: Self.diamond, file: planFile, config: planConfig)) }

    @Test("a stable topological order and groups by depth")
    func orderAndGroups() throws {
        let graph = try graph()
        #expect(graph.order == ["a", "b", "c", "d", "e"])
        #expect(graph.groups == [["a", "e"], ["b", "c"], ["d"]])
    }

    @Test("the critical path is the longest chain of estimates; a missing estimate is the step's timeout")
    func criticalPath() throws {
        let graph = try graph()
        let path = graph.criticalPath(estimates: Self.estimates)
        #expect(path.steps == ["a", "b", "d"])
        #expect(path.seconds == 45)

        var withoutD = Self.estimates
        withoutD["d"] = nil
        let timed = graph.criticalPath(estimates: withoutD)
        #expect(timed.steps == ["a", "b", "d"] && timed.seconds == 100)

        let none = graph.criticalPath(estimates: [:])
        #expect(none.steps == ["a", "b", "d"] && none.seconds == 600 + 600 + 60)

        let longE = graph.criticalPath(estimates: Self.estimates.merging(["e": 46]) { $1 })
        #expect(longE.steps == ["e"] && longE.seconds == 46)
    }

    @Test("what remains: finished steps cost nothing, running ones what is left of their estimate")
    func remaining() throws {
        let graph = try graph()
        #expect(graph.remaining(estimates: Self.estimates, finished: [], running: [:]) == 45)
        // b has run 12 s of 30 (18 left) + d 5 = 23; c 20 + d 5 = 25; e runs 40.
        #expect(graph.remaining(estimates: Self.estimates, finished: ["a"], running: ["b": 12, "e": 0]) == 40)
        #expect(graph.remaining(estimates: Self.estimates, finished: ["a", "e"], running: ["b": 12]) == 25)
        #expect(graph.remaining(estimates: Self.estimates, finished: ["a", "e", "c"], running: ["b": 12]) == 23)
        // A step past its estimate counts as about to end.
        #expect(graph.remaining(estimates: Self.estimates, finished: ["a", "e", "c"], running: ["b": 90]) == 5)
        #expect(graph.remaining(estimates: Self.estimates, finished: ["a", "b", "c", "d", "e"], running: [:]) == 0)
    }

    @Test("dependents are transitive, in run order")
    func dependents() throws {
        let graph = try graph()
        #expect(graph.dependents(of: "a") == ["b", "c", "d"])
        #expect(graph.dependents(of: "c") == ["d"])
        #expect(graph.dependents(of: "d") == [])
        #expect(graph.dependents(of: "e") == [])
        #expect(graph.dependents(of: "missing") == [])
    }
}
