/// The store `repository:` names.
extension LifeboatConfig {
    public func makeStore() throws -> any ObjectStore {
        LocalStore(root: repository)
    }
}
