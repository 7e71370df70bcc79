#!/usr/bin/env python3
"""Turns a tmux capture with colours (`tmux capture-pane -p -e`) into an SVG of the terminal, cell for cell.

    ans2svg.py CAPTURE.ans OUT.svg COLS ROWS

Parses SGR (16, 256 and true colours; bold, dim, reverse), places every run of text on an exact cell grid, and
draws the block elements U+2581..U+2588 as rectangles so health strips have no gaps. `rsvg-convert` (Debian's
librsvg2-bin) turns the SVG into a PNG. The palette is a dark terminal's.
"""
import html
import re
import sys
import unicodedata

CELL_W, CELL_H, FONT = 9.6, 20, 16
BG, FG = "#1c1c1c", "#d0d0d0"
BASE16 = ["#1c1c1c", "#e05561", "#8cc265", "#d18f52", "#4aa5f0", "#c162de", "#42b3c2", "#d0d0d0",
          "#5c6370", "#ff616e", "#a5e075", "#f0a45d", "#4dc4ff", "#de73ff", "#4cd1e0", "#e6e6e6"]


def color256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)


def width(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def parse(line, cols, state):
    """The cells of one captured line: (char, fg, bg, bold, dim). `state` holds the attributes in force, carried from
    line to line: tmux's capture sets them only where they change, not again at the start of each line."""
    cells = []
    fg, bg, bold, dim, reverse = state
    for token in re.split(r"(\x1b\[[0-9;:]*m)", line):
        if token.startswith("\x1b["):
            codes = [int(c) if c else 0 for c in re.split(r"[;:]", token[2:-1])] or [0]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    fg = bg = None
                    bold = dim = reverse = False
                elif c == 1: bold = True
                elif c == 2: dim = True
                elif c == 7: reverse = True
                elif c == 22: bold = dim = False
                elif c == 27: reverse = False
                elif 30 <= c <= 37: fg = BASE16[c - 30]
                elif 90 <= c <= 97: fg = BASE16[c - 90 + 8]
                elif 40 <= c <= 47: bg = BASE16[c - 40]
                elif 100 <= c <= 107: bg = BASE16[c - 100 + 8]
                elif c == 39: fg = None
                elif c == 49: bg = None
                elif c in (38, 48) and i + 1 < len(codes):
                    if codes[i + 1] == 5 and i + 2 < len(codes):
                        value, i = color256(codes[i + 2]), i + 2
                    elif codes[i + 1] == 2 and i + 4 < len(codes):
                        value, i = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5]), i + 4
                    else:
                        value = None
                    if c == 38: fg = value
                    else: bg = value
                i += 1
            continue
        for ch in token:
            w = width(ch)
            if w == 0:
                continue
            f, b = fg or FG, bg or BG
            if reverse:
                f, b = b, f
            if bold and fg is None and not reverse:
                f = "#ffffff"
            cells.append((ch, f, b, bold, dim))
            if w == 2:
                cells.append(("", f, b, bold, dim))
    state[:] = [fg, bg, bold, dim, reverse]
    cells += [(" ", FG, BG, False, False)] * max(0, cols - len(cells))
    return cells[:cols]


def main():
    src, out, cols, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    lines = open(src, encoding="utf-8", errors="replace").read().split("\n")[:rows]
    lines += [""] * (rows - len(lines))
    pad = 12
    w, h = cols * CELL_W + 2 * pad, rows * CELL_H + 2 * pad
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d">' % (w, h),
             '<rect width="100%%" height="100%%" fill="%s"/>' % BG,
             '<g font-family="DejaVu Sans Mono, monospace" font-size="%d">' % FONT]
    state = [None, None, False, False, False]
    for y, line in enumerate(lines):
        cells = parse(line, cols, state)
        top = pad + y * CELL_H
        x = 0
        while x < cols:  # backgrounds, in runs
            b = cells[x][2]
            end = x
            while end < cols and cells[end][2] == b:
                end += 1
            if b != BG:
                parts.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>'
                             % (pad + x * CELL_W, top, (end - x) * CELL_W, CELL_H, b))
            x = end
        for x, (ch, f, b, bold, dim) in enumerate(cells):
            if not ch or ch == " ":
                continue
            left = pad + x * CELL_W
            if "\u2581" <= ch <= "\u2588":  # lower blocks as exact rectangles
                eighths = ord(ch) - 0x2580
                hh = CELL_H * eighths / 8
                parts.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>'
                             % (left, top + CELL_H - hh, CELL_W, hh, f))
                continue
            attrs = ' font-weight="bold"' if bold else ""
            if dim:
                attrs += ' fill-opacity="0.6"'
            span = 2 if x + 1 < cols and cells[x + 1][0] == "" else 1
            parts.append('<text x="%.1f" y="%.1f" fill="%s"%s textLength="%.1f" lengthAdjust="spacingAndGlyphs">%s</text>'
                         % (left, top + CELL_H * 0.76, f, attrs, CELL_W * span, html.escape(ch)))
    parts.append("</g></svg>")
    open(out, "w", encoding="utf-8").write("\n".join(parts))


if __name__ == "__main__":
    main()
