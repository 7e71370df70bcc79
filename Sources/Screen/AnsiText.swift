/// A frame as text with ANSI SGR sequences for the colour theme: what `snapshot --format ansi` prints, and what a
/// colour terminal would show. Each row resets its attributes at the end; trailing blanks are dropped.
public func ansiText(_ buffer: Buffer, theme: Theme = .color) -> String {
    var out = ""
    for y in 0..<buffer.height {
        var last = buffer.width
        while last > 0, buffer[last - 1, y].symbol == " ", theme.style(for: buffer[last - 1, y].role) == Theme.Style() { last -= 1 }
        var current = Theme.Style()
        for x in 0..<last {
            let cell = buffer[x, y]
            let style = theme.style(for: cell.role)
            if style != current {
                out += sgr(style)
                current = style
            }
            out += cell.symbol
        }
        if current != Theme.Style() { out += "\u{1B}[0m" }
        out += "\n"
    }
    return out
}

/// The SGR sequence that sets exactly `style` (from a reset).
func sgr(_ style: Theme.Style) -> String {
    var codes = ["0"]
    if style.bold { codes.append("1") }
    if style.dim { codes.append("2") }
    if style.reverse { codes.append("7") }
    switch style.color {
    case .green?: codes.append("32")
    case .yellow?: codes.append("33")
    case .red?: codes.append("31")
    case .bar?: codes += ["30", "46"]
    case nil: break
    }
    return "\u{1B}[" + codes.joined(separator: ";") + "m"
}
