/// A swarm the console can show: a docker context, as `docker context ls` lists it.
public struct SwarmContext: Sendable, Equatable {
    public var name: String
    /// Its Docker address (`ssh://ops@manager`), or nil when it cannot be used.
    public var address: String?
    public var description: String
    /// Why it cannot be used, when it cannot.
    public var problem: String?

    public init(name: String, address: String?, description: String = "", problem: String? = nil) {
        self.name = name
        self.address = address
        self.description = description
        self.problem = problem
    }
}
