import KioskConfig
import KioskDomain

/// What the flow reads but never changes: the district's configuration.
public struct FrontContext: Sendable {
    public let config: KioskConfiguration
    /// False when the front runs without a printer (`--no-printer`): no screen promises paper.
    public let printsReceipts: Bool

    public init(config: KioskConfiguration, printsReceipts: Bool = true) {
        self.config = config
        self.printsReceipts = printsReceipts
    }

    var texts: ScreenTexts { config.texts }

    func text(_ key: ScreenTexts.Key, _ language: Language) -> String { config.texts[key, language] }
}

/// The contact details, asked one screen each, in this order.
public enum ContactField: Int, Sendable, CaseIterable, Hashable {
    case name, phone, textMessages, residentID, street, community, addressDetail, householdSize, description

    /// The screen's question, one per field.
    var title: ScreenTexts.Key {
        switch self {
        case .name: .askName
        case .phone: .askPhone
        case .textMessages: .askTextMessages
        case .residentID: .askResidentID
        case .street: .askStreet
        case .community: .askCommunity
        case .addressDetail: .askAddressDetail
        case .householdSize: .askHouseholdSize
        case .description: .askDescription
        }
    }

    /// What the field is called on the review screen.
    var label: ScreenTexts.Key {
        switch self {
        case .name: .fieldName
        case .phone: .fieldPhone
        case .textMessages: .fieldTextMessages
        case .residentID: .fieldResidentID
        case .street: .fieldStreet
        case .community: .fieldCommunity
        case .addressDetail: .fieldAddressDetail
        case .householdSize: .fieldHouseholdSize
        case .description: .fieldDescription
        }
    }

    /// Text messages (yes / no), street and community are picked from lists; the others are typed.
    var isChoice: Bool { self == .textMessages || self == .street || self == .community }
    var isOptional: Bool { self == .residentID || self == .addressDetail || self == .description }

    /// Most characters a field takes as typed (validation has the final word).
    var inputLimit: Int {
        switch self {
        case .name: TextRule.name.maxCharacters
        case .phone: 20
        case .residentID: 18
        case .addressDetail: TextRule.addressDetail.maxCharacters
        case .householdSize: 2
        case .description: TextRule.description.maxCharacters
        case .textMessages, .street, .community: 0
        }
    }

    var next: ContactField? { ContactField(rawValue: rawValue + 1) }
    var previous: ContactField? { ContactField(rawValue: rawValue - 1) }
}
