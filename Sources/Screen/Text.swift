/// Terminal columns a character takes: 0 for combining marks and zero-width characters, 2 for East Asian wide and
/// emoji, 1 otherwise. Locale-independent, so headless output matches the console.
public func displayWidth(_ ch: Character) -> Int {
    // Most of a frame is ASCII: answer it without Unicode properties.
    if let a = ch.asciiValue { return a >= 0x20 && a != 0x7F ? 1 : 0 }
    guard let first = ch.unicodeScalars.first else { return 0 }
    let v = first.value
    if v == 0 { return 0 }
    if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
    // The glyphs a frame is drawn with (dashes, the ellipsis, arrows, box drawing, blocks, geometric shapes): one
    // column each, answered without Unicode properties. None of these ranges holds a mark or a wide character.
    if (0x2010...0x2027).contains(v) || (0x2190...0x21FF).contains(v) || (0x2500...0x25FC).contains(v) {
        if ch.unicodeScalars.count == 1 { return 1 }
    }
    if first.properties.generalCategory == .nonspacingMark || first.properties.generalCategory == .enclosingMark
        || v == 0x200B || v == 0x200C || v == 0x200D || v == 0xFEFF { return 0 }
    if ch.unicodeScalars.contains(where: { $0.value == 0xFE0F }) && first.properties.isEmoji { return 2 }
    if isWide(v) { return 2 }
    return 1
}

/// The display width of a string.
public func displayWidth(_ s: String) -> Int {
    // Printable ASCII (most cells of a frame): a byte is a column, with no grapheme breaking.
    if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return s.utf8.count }
    return s.reduce(0) { $0 + displayWidth($1) }
}

private func isWide(_ v: UInt32) -> Bool {
    switch v {
    case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3, 0x25FD...0x25FE,
         0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA...0x26AB, 0x26BD...0x26BE,
         0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F3, 0x26F5, 0x26FA, 0x26FD, 0x2705,
         0x270A...0x270B, 0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757, 0x2795...0x2797, 0x27B0, 0x27BF,
         0x2B1B...0x2B1C, 0x2B50, 0x2B55, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
         0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
         0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x1F680...0x1F6FF,
         0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
        return true
    default:
        return false
    }
}

/// Cuts `s` to `width` columns, ending with `…` (or `~` in ASCII) when it had to cut.
public func truncate(_ s: String, to width: Int, ellipsis: String = "…") -> String {
    guard width > 0 else { return "" }
    if displayWidth(s) <= width { return s }
    var out = ""
    var used = 0
    let room = width - displayWidth(ellipsis)
    for ch in s {
        let w = displayWidth(ch)
        if used + w > room { break }
        out.append(ch)
        used += w
    }
    return out + ellipsis
}
