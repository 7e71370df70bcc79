@testable import DockerEngine
import Foundation
import Testing

/// The fast parser that reads service specs must read them exactly as the `Decodable` path does.
struct JSONParserTests {
    @Test func aSpecReadsTheSameAsThroughDecodable() throws {
        let data = try WireModelTests.fixture("services")
        let decoded = try JSONDecoder().decode([SwarmService].self, from: data)
        guard case .array(let parsed) = try JSONParser.parse(Array(data)) else {
            Issue.record("not an array")
            return
        }
        #expect(parsed.count == decoded.count && !decoded.isEmpty)
        for (service, raw) in zip(decoded, parsed) { #expect(raw["Spec"] == service.rawSpec) }
        #expect(try JSONParser.parse(Array(data)) == JSONDecoder().decode(JSONValue.self, from: data))
    }

    @Test func valuesEscapesAndNumbers() throws {
        let text = #" { "s": "a\"b\\c\/d\n\t\u00e9\ud83d\ude00", "i": -42, "d": 1.5e3, "big": 12345678901234, "t": true, "f": false, "n": null, "a": [1, [], {}], "e": "" } "#
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(value["s"] == .string("a\"b\\c/d\n\té😀"))
        #expect(value["i"] == .int(-42) && value["d"] == .int(1500) && value["big"] == .int(12_345_678_901_234))
        #expect(try JSONParser.parse(Array("0.25".utf8)) == .double(0.25))
        #expect(value["t"] == .bool(true) && value["f"] == .bool(false) && value["n"] == .null && value["e"] == .string(""))
        #expect(value["a"] == .array([.int(1), .array([]), .object([:])]))
        #expect(value == (try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"open", "1 2", "{\"a\":1,}", "\"\\x\""])
    func brokenInputIsAnError(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(text.utf8)) }
    }
}
