import Foundation

/// Who asks for help and how to reach them. Personal data: sealed at rest,
/// never logged, never in a QR code.
public struct Applicant: Sendable, Codable, Hashable {
    public var name: String
    public var phone: PhoneNumber
    public var residentID: ResidentID?
    /// Street (街道) and community (社区) codes from the kiosk's configuration.
    public var street: String
    public var community: String
    public var addressDetail: String
    public var householdSize: Int
    /// The resident said yes to text messages about the request's progress
    /// (asked after a mobile number only; no, or not asked, is respected everywhere).
    public var textMessages: Bool

    public init(name: String, phone: PhoneNumber, residentID: ResidentID?, street: String,
                community: String, addressDetail: String, householdSize: Int, textMessages: Bool = false) {
        self.name = name
        self.phone = phone
        self.residentID = residentID
        self.street = street
        self.community = community
        self.addressDetail = addressDetail
        self.householdSize = householdSize
        self.textMessages = textMessages && phone.kind == .mobile
    }

    private enum CodingKeys: String, CodingKey {
        case name, phone, residentID, street, community, addressDetail, householdSize, textMessages
    }

    /// Requests stored before the question was asked read as "no".
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(String.self, forKey: .name),
                  phone: try container.decode(PhoneNumber.self, forKey: .phone),
                  residentID: try container.decodeIfPresent(ResidentID.self, forKey: .residentID),
                  street: try container.decode(String.self, forKey: .street),
                  community: try container.decode(String.self, forKey: .community),
                  addressDetail: try container.decode(String.self, forKey: .addressDetail),
                  householdSize: try container.decode(Int.self, forKey: .householdSize),
                  textMessages: try container.decodeIfPresent(Bool.self, forKey: .textMessages) ?? false)
    }

    public static let householdSizes = 1...20
}

/// The consent a resident gave to share the request with the centre: which
/// version of the text they read, and when.
public struct Consent: Sendable, Codable, Hashable {
    public var version: String
    public var givenAt: Date

    public init(version: String, givenAt: Date) {
        self.version = version
        self.givenAt = givenAt
    }
}
