/// FNV-1a of a string's UTF-8: the same number for the same text in every run and on every machine (Swift's
/// `hashValue` is seeded per process), for placing an agent in its probe interval and for the demo's randomness.
public func stableHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    return hash
}
