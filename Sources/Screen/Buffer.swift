/// Semantic roles; a theme maps them to colours and attributes (the curses backend), or ignores them (text).
public enum Role: UInt8, Sendable, Equatable, CaseIterable {
    case normal, header, title, ok, warn, bad, muted, selection
    /// A search match in the logs (and the focused element of an overlay).
    case match
}

/// One screen cell: a grapheme and its role. A wide grapheme fills its cell and sets the next one to `continuation`.
public struct Cell: Sendable, Equatable {
    public var symbol: String
    public var role: Role
    public init(symbol: String, role: Role) {
        self.symbol = symbol
        self.role = role
    }
    public static let blank = Cell(symbol: " ", role: .normal)
    /// The right half of a wide character: draws nothing.
    public static let continuation = Cell(symbol: "", role: .normal)
}

/// The one-character strings of ASCII, made once.
private let asciiSymbols: [String] = (0..<128).map { String(UnicodeScalar(UInt8($0))) }

/// A rectangle of the screen, in cells.
public struct Rect: Sendable, Equatable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }
}

/// The whole frame as cells: what the console blits to curses and `snapshot` prints. Writes are clipped to the
/// buffer (and to the width given), so nothing ever wraps into the next row.
public struct Buffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` (already sanitized) at (x, y), at most `maxWidth` columns; returns the columns used.
    /// A wide character that would not fit whole is not drawn.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, maxWidth: Int? = nil, role: Role = .normal) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width - x, maxWidth ?? Int.max)
        var col = 0
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            // Most of a frame is ASCII: a byte is a column (controls take none), with no grapheme breaking.
            let start = y * width + x
            cells.withUnsafeMutableBufferPointer { cells in
                for byte in text.utf8 where byte >= 0x20 && byte != 0x7F {
                    if col >= limit { break }
                    if x + col >= 0 { cells[start + col] = Cell(symbol: asciiSymbols[Int(byte)], role: role) }
                    col += 1
                }
            }
            return col
        }
        for ch in text {
            let w = displayWidth(ch)
            if w == 0 { continue }
            if col + w > limit { break }
            let cx = x + col
            if cx >= 0 {
                self[cx, y] = Cell(symbol: String(ch), role: role)
                if w == 2 && cx + 1 < width { self[cx + 1, y] = .continuation }
            }
            col += w
        }
        return col
    }

    /// Sets the role of a run of cells (for a selection bar).
    public mutating func fill(role: Role, y: Int, from x: Int = 0, width w: Int? = nil) {
        guard y >= 0, y < height else { return }
        let from = max(0, x), to = min(width, x + (w ?? width))
        guard from < to else { return }
        for cx in from..<to { self[cx, y].role = role }
    }

    /// The rows as plain text, trailing blanks removed: what `snapshot --format text` prints and what a terminal shows.
    public var lines: [String] {
        (0..<height).map { y in
            var line = ""
            for x in 0..<width { line += self[x, y].symbol }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }

    public var text: String { lines.joined(separator: "\n") + "\n" }
}
