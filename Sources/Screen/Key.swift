/// A key as the terminal decodes it; what it means is the app's business.
public enum Key: Sendable, Equatable, Hashable {
    case up, down, pageUp, pageDown, home, end
    case enter, backspace, tab
    case char(Character)
    case escape
    case redraw
}
