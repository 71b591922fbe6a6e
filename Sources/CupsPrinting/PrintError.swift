/// Why printing failed, in words a technician can act on. Never carries
/// document content.
public struct PrintError: Error, Sendable, CustomStringConvertible {
    enum Kind: Sendable { case unreachable, unknownQueue, refused }

    let kind: Kind
    public let description: String

    /// cupsd does not answer (stopped, socket missing).
    public static func unreachable(_ detail: String) -> PrintError {
        PrintError(kind: .unreachable, description: "CUPS is not reachable: \(detail)")
    }

    public static func unknownQueue(_ queue: String) -> PrintError {
        PrintError(kind: .unknownQueue, description: "CUPS has no queue named '\(queue)'")
    }

    /// CUPS answered but would not take the job.
    public static func refused(_ call: String, _ detail: String) -> PrintError {
        PrintError(kind: .refused, description: "\(call) failed: \(detail)")
    }

    public var isUnreachable: Bool { kind == .unreachable }
}
