import Foundation

extension Workspace {
    /// Loads a plan file against this configuration.
    public func loadPlan(_ file: String) throws -> Plan { try Plan.load(file: file, config: config) }

    /// Expected seconds per step of `plan`, from its past runs (empty when it never ran).
    public func estimates(for plan: Plan) -> [String: Double] { (try? catalog.stepEstimates(plan: plan.name)) ?? [:] }

    /// Runs a resolved plan and records the run in the catalog and the repository; a record that cannot
    /// be written is returned in `recordError` rather than hiding the run's own outcome.
    public func run(plan: Plan, context: PlanContext, approver: @escaping PlanExecutor.Approver,
                    onEvent: @escaping @Sendable (PlanEvent) -> Void = { _ in },
                    started: (PlanExecutor) -> Void = { _ in }) -> (record: PlanRunRecord, recordError: LifeboatError?) {
        var context = context
        if context.estimates.isEmpty { context.estimates = estimates(for: plan) }
        let executor = PlanExecutor(plan: plan, context: context, approver: approver, onEvent: onEvent)
        started(executor)
        let record = executor.run()
        return (record, save(planRun: record))
    }

    func save(planRun record: PlanRunRecord) -> LifeboatError? {
        do {
            try repository.write(planRun: record)
            try catalog.record(planRun: record)
            return nil
        } catch let error as LifeboatError {
            return error
        } catch {
            return LifeboatError(.io, "the plan run could not be recorded: \(error)", cause: error)
        }
    }
}
