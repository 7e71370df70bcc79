/// How roles look on a terminal: colours on the terminal's own background, or, for `NO_COLOR` and monochrome
/// terminals, attributes only. The curses backend applies it; `styleMask` shows it for golden tests.
public enum Theme: Sendable, Equatable {
    case color
    case monochrome

    public enum Color: Sendable, Equatable {
        case green, yellow, red
        /// Black on cyan: the title bar.
        case bar
    }

    public struct Style: Sendable, Equatable {
        public var bold = false
        public var dim = false
        public var reverse = false
        public var color: Color?
    }

    public func style(for role: Role) -> Style {
        switch (role, self) {
        case (.normal, _): return Style()
        case (.header, _): return Style(bold: true)
        case (.selection, _): return Style(reverse: true)
        case (.match, _): return Style(bold: true, reverse: true)
        case (.muted, .color): return Style(dim: true)
        case (.muted, .monochrome): return Style()
        case (.title, .color): return Style(color: .bar)
        case (.title, .monochrome): return Style(reverse: true)
        case (.ok, .color): return Style(color: .green)
        case (.warn, .color): return Style(color: .yellow)
        case (.bad, .color): return Style(bold: true, color: .red)
        case (.ok, .monochrome), (.warn, .monochrome): return Style()
        case (.bad, .monochrome): return Style(bold: true)
        }
    }
}

extension Theme {
    /// Whether a blank of this role shows on screen: reversed, or on a background colour.
    func showsOnBlank(_ role: Role) -> Bool {
        let s = style(for: role)
        return s.reverse || s.color == .bar
    }

    /// The role to draw a cell with. A blank takes the role of the cell before it when neither shows on a blank:
    /// the row then switches attributes once between two coloured columns instead of twice. Each switch is an
    /// escape sequence of 4 to 12 bytes, and a table row has a dozen.
    public func drawnRole(_ cell: Cell, after previous: Role) -> Role {
        cell.symbol == " " && !showsOnBlank(cell.role) && !showsOnBlank(previous) ? previous : cell.role
    }
}

/// One letter per cell for the style a theme gives it: ` ` plain, `b` bold, `d` dim, `r` reverse, `R` reverse and
/// bold; with colours, `g` `y` `x` (red) and `t` (title bar). Golden tests of `NO_COLOR` frames compare this.
public func styleMask(_ buffer: Buffer, theme: Theme) -> String {
    var out = ""
    for y in 0..<buffer.height {
        var line = ""
        for x in 0..<buffer.width {
            let s = theme.style(for: buffer[x, y].role)
            switch (s.color, s.reverse, s.bold, s.dim) {
            case (.green?, _, _, _): line += "g"
            case (.yellow?, _, _, _): line += "y"
            case (.red?, _, _, _): line += "x"
            case (.bar?, _, _, _): line += "t"
            case (nil, true, true, _): line += "R"
            case (nil, true, false, _): line += "r"
            case (nil, false, true, _): line += "b"
            case (nil, false, false, true): line += "d"
            default: line += " "
            }
        }
        while line.hasSuffix(" ") { line.removeLast() }
        out += line + "\n"
    }
    return out
}
