/// What help is: material (物质), service (服务) or psychological (心理).
public enum ServiceKind: String, Sendable, Codable, CaseIterable, Hashable {
    case material, service, psychological
}

/// A sub-service a resident can ask for, within one programme.
public struct Service: Sendable, Hashable {
    public var id: String
    public var programmeID: String
    public var name: LocalizedText
    public var kind: ServiceKind
    /// What it is, who it is for and how it is given: the consult screens
    /// show it to residents browsing without applying.
    public var description: LocalizedText?

    public init(id: String, programmeID: String, name: LocalizedText, kind: ServiceKind,
                description: LocalizedText? = nil) {
        self.id = id
        self.programmeID = programmeID
        self.name = name
        self.kind = kind
        self.description = description
    }
}

/// One of the district's service programmes (花样伙伴, 赋能提升, …).
public struct Programme: Sendable, Hashable {
    public var id: String
    /// The programme's brand, e.g. 花样伙伴.
    public var name: LocalizedText
    /// Who it is for in plain words, e.g. 儿童和青少年: the brand alone tells a resident nothing.
    public var audience: LocalizedText?
    /// What the programme does, for residents browsing without applying.
    public var description: LocalizedText?
    public var services: [Service]

    public init(id: String, name: LocalizedText, audience: LocalizedText? = nil, description: LocalizedText? = nil,
                services: [Service]) {
        self.id = id
        self.name = name
        self.audience = audience
        self.description = description
        self.services = services
    }

    /// The brand with its plain line, e.g. "花样伙伴 — 儿童和青少年".
    public func title(_ language: Language) -> String {
        audience.map { "\(name[language]) — \($0[language])" } ?? name[language]
    }
}

/// The programmes and services a kiosk offers, in the order it shows them.
public struct Catalog: Sendable, Hashable {
    public var programmes: [Programme]

    public init(programmes: [Programme]) {
        self.programmes = programmes
    }

    public func programme(_ id: String) -> Programme? {
        programmes.first { $0.id == id }
    }

    public func service(_ id: String, in programmeID: String) -> Service? {
        programme(programmeID)?.services.first { $0.id == id }
    }
}
