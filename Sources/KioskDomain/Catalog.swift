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

    public init(id: String, programmeID: String, name: LocalizedText, kind: ServiceKind) {
        self.id = id
        self.programmeID = programmeID
        self.name = name
        self.kind = kind
    }
}

/// One of the district's service programmes (花样伙伴, 赋能提升, …).
public struct Programme: Sendable, Hashable {
    public var id: String
    public var name: LocalizedText
    public var services: [Service]

    public init(id: String, name: LocalizedText, services: [Service]) {
        self.id = id
        self.name = name
        self.services = services
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
