/// Values that many records refer to by a small id, each value kept once: a history's failure reasons, say, of
/// which an agent has few but repeats them in every sample.
struct InternTable<Value: Hashable & Sendable>: Sendable, Equatable {
    private var values: [Value] = []
    private var ids: [Value: UInt16] = [:]

    /// The value of an id; nil for 0.
    subscript(id: UInt16) -> Value? { id == 0 ? nil : values[Int(id) - 1] }

    var count: Int { values.count }

    /// The id of `value`, if the table has it.
    func id(of value: Value) -> UInt16? { ids[value] }

    /// The id of `value`, added if new (ids run from 1; 0 stands for none). The owner keeps the count under 65,535.
    mutating func id(for value: Value) -> UInt16 {
        if let id = ids[value] { return id }
        values.append(value)
        ids[value] = UInt16(values.count)
        return UInt16(values.count)
    }

    /// Keeps only the values whose ids are in `live`; returns each kept id's new id.
    mutating func compact(keeping live: Set<UInt16>) -> [UInt16: UInt16] {
        let kept = live.filter { $0 != 0 }.sorted()
        var renumbered: [UInt16: UInt16] = [:]
        var table = InternTable()
        for id in kept { renumbered[id] = table.id(for: values[Int(id) - 1]) }
        self = table
        return renumbered
    }
}
