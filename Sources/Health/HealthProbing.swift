import ClawtopCore
import FleetSource

extension HealthProber: HealthProbing {
    /// Reads the agent's gateway token file for each probe, so a rotated token is taken up at once.
    public func probe(_ target: ProbeTarget) async -> HealthSample {
        let token = target.tokenFile.flatMap(BearerToken.init(file:))
        return await probe(target.url, timeout: target.timeout, token: token,
                           tokenUnreadable: target.tokenFile != nil && token == nil)
    }
}
