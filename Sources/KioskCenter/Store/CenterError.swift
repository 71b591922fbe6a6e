/// A refusal from the centre's store or commands, in words for the person
/// (never personal data).
public struct CenterError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}
