/// clawtop could not do its job (no terminal, no daemon, a broken config): the message goes to standard error as
/// `clawtop: message`, and the exit status is 2.
public struct Failure: Error {
    public var message: String
    public init(_ message: String) { self.message = message }
}
