import Foundation
import Yams

/// YAML read the way Warren reads it (gopkg.in/yaml.v3 into Go structs): only the first document counts, plain
/// scalars are typed by yaml.v3's rules (not YAML 1.1's: `yes` is a string, `0777` an octal int), quoted ones are
/// strings, `<<` merges mappings, and a tag like `!!str` or `!!int` is obeyed or refused as yaml.v3 does.
enum GoYAML {
    /// A scalar's value as yaml.v3 resolves it.
    enum Value: Equatable {
        case null
        case bool(Bool)
        case int(Int64)
        case uint(UInt64)
        case float(Double)
        case string(String)
        case timestamp
        /// The tag asks for a type the text is not (`!!int abc`): yaml.v3 stops with this message.
        case invalid(String)
    }

    /// A syntax problem: where and what.
    struct SyntaxProblem: Error {
        var line: Int
        var column: Int
        var message: String
    }

    /// The first document's root node, nil when there is none (an empty file).
    static func firstDocument(_ text: String) throws(SyntaxProblem) -> Node? {
        do {
            let parser = try Parser(yaml: text, resolver: implicitMarker)
            return try parser.nextRoot()
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                throw SyntaxProblem(line: mark.line, column: mark.column, message: "malformed YAML: \(problem)")
            case .duplicatedKeysInMapping(let keys, let context):
                let names = keys.map { "\"\($0)\"" }.joined(separator: ", ")
                throw SyntaxProblem(line: context.mark.line, column: context.mark.column,
                                    message: "mapping key \(names) is defined more than once in the same mapping")
            case .reader(let problem, _, _, _):
                throw SyntaxProblem(line: 0, column: 0, message: "malformed YAML: \(problem)")
            default:
                throw SyntaxProblem(line: 0, column: 0, message: "malformed YAML: \(error)")
            }
        } catch {
            throw SyntaxProblem(line: 0, column: 0, message: "malformed YAML: \(error)")
        }
    }

    /// Yams resolves an untagged node's tag only when asked; this resolver makes such a node say so, so that an
    /// explicit `!!str` can be told from no tag at all.
    private static let implicitTag = Tag.Name(rawValue: "!clawtop-implicit")
    // swiftlint:disable:next force_try
    private static let implicitMarker = Resolver.basic.appending(try! Resolver.Rule(implicitTag, "^"))

    /// The explicit tag in yaml.v3's short form (`!!int`, `!custom`), or nil when there is none (or just `!`).
    static func explicitTag(_ node: Node) -> String? {
        let raw: String
        switch node {
        case .scalar(let s): raw = s.tag.rawValue
        case .mapping(let m): raw = m.tag.rawValue
        case .sequence(let s): raw = s.tag.rawValue
        case .alias: return nil
        }
        if raw.isEmpty || raw == "!" || raw == implicitTag.rawValue { return nil }
        let long = "tag:yaml.org,2002:"
        return raw.hasPrefix(long) ? "!!" + raw.dropFirst(long.count) : raw
    }

    /// yaml.v3's `ShortTag()`: the node's type as it will be decoded.
    static func shortTag(_ node: Node) -> String {
        if let tag = explicitTag(node) { return tag }
        switch node {
        case .mapping: return "!!map"
        case .sequence: return "!!seq"
        case .alias: return ""
        case .scalar(let s):
            if s.style != .plain && s.style != .any { return "!!str" }
            return resolve(tag: nil, s.string).tag
        }
    }

    static func isNull(_ node: Node) -> Bool { shortTag(node) == "!!null" }

    /// A scalar's value, as yaml.v3's `decoder.scalar` sees it.
    static func value(_ s: Node.Scalar) -> Value {
        let node = Node.scalar(s)
        let tag = explicitTag(node)
        if tag == "!!str" || (tag == nil && s.style != .plain && s.style != .any) { return .string(s.string) }
        if tag == "!!binary" {
            guard let data = Data(base64Encoded: s.string.filter { !$0.isWhitespace }) else {
                return .invalid("!!binary value contains invalid base64 data")
            }
            return .string(String(decoding: data, as: UTF8.self))
        }
        return resolve(tag: tag, s.string).value
    }

    /// yaml.v3's `resolve(tag, in)`.
    static func resolve(tag: String?, _ text: String) -> (tag: String, value: Value) {
        let tag = tag ?? ""
        guard ["", "!!str", "!!bool", "!!int", "!!float", "!!null", "!!timestamp"].contains(tag) else { return (tag, .string(text)) }
        let (rtag, value) = resolveUntyped(text, tag: tag)
        switch tag {
        case "", rtag, "!!str": return (rtag, value)
        case "!!float":
            if rtag == "!!int", case .int(let i) = value { return ("!!float", .float(Double(i))) }
        default: break
        }
        let shown = text
        return (rtag, .invalid("cannot decode \(rtag) `\(shown)` as a \(tag)"))
    }

    private static func resolveUntyped(_ text: String, tag: String) -> (String, Value) {
        if tag == "!!str" { return ("!!str", .string(text)) }
        let first = text.utf8.first
        let hint: Character? = first.map { c in
            switch c {
            case UInt8(ascii: "+"), UInt8(ascii: "-"): return "S"
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return "D"
            case UInt8(ascii: "."): return "."
            default: return "yYnNtTfFoO~".utf8.contains(c) ? "M" : nil
            }
        } ?? "N"
        guard let hint else { return ("!!str", .string(text)) }
        if let known = map[text] { return known }
        switch hint {
        case ".":
            if let f = goParseFloat(text) { return ("!!float", .float(f)) }
        case "D", "S":
            if tag == "" || tag == "!!timestamp", looksLikeTimestamp(text) { return ("!!timestamp", .timestamp) }
            let plain = text.replacingOccurrences(of: "_", with: "")
            if let i = goParseInt(plain) { return ("!!int", .int(i)) }
            if let u = goParseUint(plain) { return ("!!int", .uint(u)) }
            if plain.range(of: #"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"#, options: .regularExpression) != nil,
               let f = goParseFloat(plain) { return ("!!float", .float(f)) }
            for (prefix, radix) in [("0b", 2), ("0o", 8)] {
                if plain.hasPrefix(prefix) {
                    let digits = String(plain.dropFirst(2))
                    if let i = Int64(digits, radix: radix), !digits.hasPrefix("+"), !digits.hasPrefix("-") { return ("!!int", .int(i)) }
                    if let u = UInt64(digits, radix: radix), !digits.hasPrefix("+") { return ("!!int", .uint(u)) }
                } else if plain.hasPrefix("-" + prefix) {
                    let digits = String(plain.dropFirst(3))
                    if !digits.hasPrefix("+"), !digits.hasPrefix("-"), let i = Int64("-" + digits, radix: radix) { return ("!!int", .int(i)) }
                }
            }
        default: break
        }
        return ("!!str", .string(text))
    }

    private static let map: [String: (String, Value)] = {
        var m: [String: (String, Value)] = [:]
        for s in ["true", "True", "TRUE"] { m[s] = ("!!bool", .bool(true)) }
        for s in ["false", "False", "FALSE"] { m[s] = ("!!bool", .bool(false)) }
        for s in ["", "~", "null", "Null", "NULL"] { m[s] = ("!!null", .null) }
        for s in [".nan", ".NaN", ".NAN"] { m[s] = ("!!float", .float(.nan)) }
        for s in [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"] { m[s] = ("!!float", .float(.infinity)) }
        for s in ["-.inf", "-.Inf", "-.INF"] { m[s] = ("!!float", .float(-.infinity)) }
        m["<<"] = ("!!merge", .string("<<"))
        return m
    }()

    /// Go's `strconv.ParseInt(s, 0, 64)`: optional sign, then decimal, `0x`, `0o`, `0b` or a leading-0 octal.
    static func goParseInt(_ s: String) -> Int64? {
        var body = Substring(s), negative = false
        if body.hasPrefix("+") || body.hasPrefix("-") { negative = body.hasPrefix("-"); body = body.dropFirst() }
        guard let magnitude = goParseUint(String(body)), !body.hasPrefix("+"), !body.hasPrefix("-") else { return nil }
        if negative { return magnitude <= UInt64(Int64.max) + 1 ? (magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)) : nil }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// Go's `strconv.ParseUint(s, 0, 64)` (no sign).
    static func goParseUint(_ s: String) -> UInt64? {
        var body = Substring(s), radix = 10
        let lower = body.lowercased()
        if lower.hasPrefix("0x") { radix = 16; body = body.dropFirst(2) }
        else if lower.hasPrefix("0o") { radix = 8; body = body.dropFirst(2) }
        else if lower.hasPrefix("0b") { radix = 2; body = body.dropFirst(2) }
        else if body.count > 1 && body.hasPrefix("0") { radix = 8; body = body.dropFirst() }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
        return UInt64(body, radix: radix)
    }

    /// Go's `strconv.ParseFloat(s, 64)` for the forms yaml.v3 hands it (decimal, exponent, `.5`, `5.`, inf/nan words,
    /// hex floats, underscores only after a base prefix are not accepted here).
    static func goParseFloat(_ s: String) -> Double? {
        let allowed = Set("0123456789+-.eE".utf8)
        let lower = s.lowercased()
        if ["inf", "+inf", "infinity", "+infinity"].contains(lower) { return .infinity }
        if ["-inf", "-infinity"].contains(lower) { return -.infinity }
        if lower == "nan" { return .nan }
        guard !s.isEmpty, s.utf8.allSatisfy(allowed.contains), s.utf8.contains(where: { $0 >= 48 && $0 <= 57 }) else { return nil }
        guard let d = Double(s) else { return nil }
        return d.isInfinite ? nil : d
    }

    /// yaml.v3 tries `2006-1-2T15:4:5.999999999Z07:00`, the same with `t`, `2006-1-2 15:4:5.999999999` and
    /// `2006-1-2`, after a quick check for four digits and a dash.
    static func looksLikeTimestamp(_ s: String) -> Bool {
        let patterns = [
            #"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$"#,
            #"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2} [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?$"#,
            #"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"#,
        ]
        return patterns.contains { s.range(of: $0, options: .regularExpression) != nil }
    }

    /// A mapping's pairs as yaml.v3 decodes them: `<<` merges applied (keys written in the mapping win, then
    /// earlier merged mappings over later ones), in order. A `<<` whose value is not a mapping (or a list of
    /// mappings) is yaml.v3's fatal "map merge requires map or sequence of maps as the value".
    static func pairs(_ mapping: Node.Mapping) -> Result<[(key: Node, value: Node)], MergeError> {
        var own: [(key: Node, value: Node)] = []
        var merge: Node?
        for (k, v) in mapping {
            if case .scalar(let s) = k, s.string == "<<", (s.style == .plain || s.style == .any),
               explicitTag(k) == nil || explicitTag(k) == "!!merge" {
                merge = v
            } else {
                own.append((k, v))
            }
        }
        guard let merge else { return .success(own) }
        var seen = Set(own.compactMap { keyText($0.key) })
        var sources: [Node.Mapping] = []
        switch merge {
        case .mapping(let m): sources = [m]
        case .sequence(let list):
            for item in list {
                guard case .mapping(let m) = item else { return .failure(MergeError(node: item)) }
                sources.append(m)
            }
        default: return .failure(MergeError(node: merge))
        }
        var out = own
        for source in sources {
            switch pairs(source) {
            case .failure(let e): return .failure(e)
            case .success(let merged):
                for pair in merged {
                    guard let k = keyText(pair.key) else { out.append(pair); continue }
                    if seen.insert(k).inserted { out.append(pair) }
                }
            }
        }
        return .success(out)
    }

    /// Where a `<<` holds something other than mappings.
    struct MergeError: Error, @unchecked Sendable { var node: Node }

    private static func keyText(_ node: Node) -> String? {
        if case .scalar(let s) = node { return s.string }
        return nil
    }
}
