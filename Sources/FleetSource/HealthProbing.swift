import ClawtopCore

/// Answers one health probe; never throws: every outcome is a sample.
public protocol HealthProbing: Sendable {
    func probe(_ target: ProbeTarget) async -> HealthSample
}
