import ClawtopCore
import Screen

/// Boxes drawn over the table: the key help and the confirmation of an action.

/// One line of a box: runs of text, each with its role.
typealias BoxLine = [(text: String, role: Role)]

/// A framed box of `lines` centred in `area`, clipped to it; when the lines do not all fit, the last row shows `…`.
func drawBox(_ lines: [BoxLine], title: String, ellipsis: String, area: Rect, into buf: inout Buffer) {
    guard area.width >= 4, area.height >= 3 else { return }
    let widest = lines.map { $0.reduce(0) { $0 + displayWidth($1.text) } }.max() ?? 0
    let inner = min(area.width - 4, max(displayWidth(title) + 2, widest))
    let height = min(area.height, lines.count + 2)
    let x0 = area.x + (area.width - inner - 4) / 2
    let y0 = area.y + (area.height - height) / 2
    let clipped = lines.count > height - 2
    for row in 0..<height {
        let y = y0 + row
        for cx in x0..<(x0 + inner + 4) { buf[cx, y] = Cell(symbol: " ", role: .title) }
        if row == 0 {
            buf.put(truncate(" \(title) ", to: inner + 2, ellipsis: ellipsis), x: x0 + 1, y: y, role: .title)
        } else if row < height - 1 {
            if clipped && row == height - 2 {
                buf.put(ellipsis, x: x0 + 2, y: y, role: .title)
                continue
            }
            var x = x0 + 2
            for run in lines[row - 1] {
                x += buf.put(run.text, x: x, y: y, maxWidth: x0 + 2 + inner - x, role: run.role == .normal ? .title : run.role)
            }
        }
    }
}

/// The `?` overlay, from the same table as the key map: one column when it fits, else two.
func drawHelp(glyphs g: Glyphs, area: Rect, into buf: inout Buffer) {
    let labelWidth = keyBindings.map { displayWidth(label($0, glyphs: g)) }.max() ?? 0
    var sections: [BoxLine] = []
    var section = ""
    for binding in keyBindings where !binding.label.isEmpty {
        if binding.section != section {
            section = binding.section
            sections.append([(section, .header)])
        }
        let l = label(binding, glyphs: g)
        sections.append([(l + String(repeating: " ", count: labelWidth - displayWidth(l) + 2), .header), (binding.help, .normal)])
    }
    let footer: [BoxLine] = [[("", .normal)], [("any key closes this help", .muted)]]
    if sections.count + footer.count + 2 <= area.height {
        drawBox(sections + footer, title: "keys", ellipsis: g.ellipsis, area: area, into: &buf)
        return
    }
    // Two columns, split at the section heading nearest the middle.
    let headings = sections.indices.filter { sections[$0].count == 1 }
    let split = headings.min { abs($0 - sections.count / 2) < abs($1 - sections.count / 2) } ?? sections.count / 2
    let left = Array(sections[..<split]), right = Array(sections[split...])
    let leftWidth = left.map { $0.reduce(0) { $0 + displayWidth($1.text) } }.max() ?? 0
    let rightWidth = right.map { $0.reduce(0) { $0 + displayWidth($1.text) } }.max() ?? 0
    guard leftWidth + 4 + rightWidth <= area.width - 4 else {
        // Too narrow for two: one column, as much as fits.
        drawBox(sections + footer, title: "keys", ellipsis: g.ellipsis, area: area, into: &buf)
        return
    }
    let rows = (0..<max(left.count, right.count)).map { i -> BoxLine in
        let l = i < left.count ? left[i] : []
        let pad = leftWidth - l.reduce(0) { $0 + displayWidth($1.text) } + 4
        return l + [(String(repeating: " ", count: pad), .normal)] + (i < right.count ? right[i] : [])
    }
    drawBox(rows + footer, title: "keys", ellipsis: g.ellipsis, area: area, into: &buf)
}

/// Key labels in the glyph set: arrows become words in ASCII.
private func label(_ binding: KeyBinding, glyphs g: Glyphs) -> String {
    g == .ascii ? binding.label.replacingOccurrences(of: "↑", with: "Up").replacingOccurrences(of: "↓", with: "Down") : binding.label
}

/// "scale openclaw_alpha 1 → 0?  y confirms, any other key cancels.", with the request's warning, if any.
func drawConfirm(_ effect: String, warning: String?, glyphs g: Glyphs, area: Rect, into buf: inout Buffer) {
    var lines: [BoxLine] = [[(sanitize(effect) + "?", .header)]]
    if let warning { lines.append([(g.warn + " " + sanitize(warning), .warn)]) }
    lines += [[("", .normal)], [("y confirms, any other key cancels", .normal)]]
    drawBox(lines, title: "confirm", ellipsis: g.ellipsis, area: area, into: &buf)
}
