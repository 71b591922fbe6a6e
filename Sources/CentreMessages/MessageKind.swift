/// Each step of a request a resident is told about by text message, and
/// what its template may name. Never the level, the story or the ID number:
/// a message is read by whoever picks up the phone.
public enum MessageKind: String, Sendable, CaseIterable, Codable {
    case received
    case assigned
    case referred
    case referralAccepted = "referral_accepted"
    case helpDelivered = "help_delivered"
    case closedHelped = "closed_helped"
    /// Closed any other way (not eligible, withdrawn, unreachable): kind words and where to ask.
    case closedOther = "closed_other"
    /// A few days after closing: was the help what you needed? Reply 1 or 2.
    case followUp = "follow_up"
    /// An adviser's own words, typed on the case page.
    case freeText = "free_text"

    /// The placeholders its template may use.
    public var placeholders: Set<String> {
        switch self {
        case .received: ["receipt", "deadline"]
        case .assigned: ["receipt"]
        case .referred, .referralAccepted, .helpDelivered: ["receipt", "partner", "address", "phone"]
        case .closedHelped, .closedOther: ["receipt", "centre_phone"]
        case .followUp: ["receipt"]
        case .freeText: ["text"]
        }
    }

    /// A step of the case's progress: a burst of them (accepted and assigned
    /// in one minute) is one message with the latest state.
    public var coalesces: Bool { ![.followUp, .freeText].contains(self) }

    /// Kinds a district's messages.yaml writes a template for.
    public static var templated: [MessageKind] { allCases.filter { $0 != .freeText } }
}
