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

    public init(name: String, phone: PhoneNumber, residentID: ResidentID?, street: String,
                community: String, addressDetail: String, householdSize: Int) {
        self.name = name
        self.phone = phone
        self.residentID = residentID
        self.street = street
        self.community = community
        self.addressDetail = addressDetail
        self.householdSize = householdSize
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
