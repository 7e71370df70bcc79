/// Removes what must never reach the terminal from untrusted text (task errors, labels, names, logs):
/// escape sequences (CSI, OSC, and other ESC-introduced ones), C0 and C1 control characters and DEL.
/// Tabs become a space; newlines end the text (a table cell is one line).
public func sanitize(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    var scalars = text.unicodeScalars.makeIterator()
    while let s = scalars.next() {
        switch s.value {
        case 0x1B: // ESC: drop the whole sequence
            guard let next = scalars.next() else { break }
            switch next {
            case "[": // CSI: parameters and intermediates, then one final byte 0x40–0x7E
                while let c = scalars.next(), !(0x40...0x7E).contains(c.value) {}
            case "]", "P", "X", "^", "_": // OSC, DCS, SOS, PM, APC: up to BEL or ST (ESC \)
                while let c = scalars.next() {
                    if c.value == 0x07 { break }
                    if c.value == 0x1B { _ = scalars.next(); break }
                }
            default: break // two-byte sequence: ESC + one character
            }
        case 0x09: out.append(" ")
        case 0x0A, 0x0D: out.append(" ")
        case 0x00...0x1F, 0x7F: continue
        case 0x80...0x9F: continue // C1 controls (CSI as 0x9B included)
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: continue // bidi overrides
        default: out.append(s)
        }
    }
    return String(out)
}
