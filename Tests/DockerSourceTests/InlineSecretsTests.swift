@testable import DockerSource
import Testing

/// Which variables of a spec carry a key themselves (for the audit): the value is looked at, never kept.
struct InlineSecretsTests {
    @Test func aKeyInTheEnvironmentIsNamedAndPathsFlagsAndPlainValuesAreNot() {
        let env = ["ANTHROPIC_API_KEY=sk-ant-api03-0123456789abcdef", "ANTHROPIC_API_KEY_FILE=/run/secrets/anthropic_api_key",
                   "OPENCLAW_GATEWAY_TOKEN=/run/secrets/gateway_token", "OPENCLAW_AUTH_MODE=token", "SECRET_TOKEN=hunter2",
                   "TZ=Europe/Berlin", "GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123", "API_KEY=not a key at all, a sentence"]
        #expect(WireToModel.inlineSecrets(env) == ["ANTHROPIC_API_KEY", "GITHUB_TOKEN"])
    }
}
