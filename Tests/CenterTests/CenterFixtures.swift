import CentreConfig
import CentreStore
import CentreTestSupport
import CentreWorkflow
import Foundation
import IntakeProtocol
import KioskConfig
import KioskDomain
import KioskStore
import StorageSupport
import TestSupport

/// A centre store with the shipped configuration: a SQLite file in a
/// temporary folder, or a new database in the test PostgreSQL cluster.
struct CenterFixture {
    let folder: URL
    let backend: CenterBackend
    let store: CenterStore
    let config: CenterConfiguration
    let sealKey: [UInt8] = Array(repeating: 7, count: 32)
    /// Kiosk JA0301's secret (hex): it is registered.
    let kioskSecret: String

    /// With `texts`, the shipped messages.yaml with a gateway (never reached
    /// here) and no quiet hours: case changes queue text messages.
    init(_ backend: CenterBackend = .sqlite, texts: Bool = false) async throws {
        self.backend = backend
        folder = try temporaryFolder("centre-store")
        var config = try CenterConfigurationLoader.load(from: repositoryRoot.appendingPathComponent("center-config"))
        if texts {
            config.messaging.gateway = GatewaySettings(sendURL: "http://127.0.0.1:9/cgi-bin/sendsms", username: "test",
                                                       callbackURL: "http://127.0.0.1:9")
            config.messaging.quietHours = nil
        }
        self.config = config
        store = try await CenterStore(database: try await backend.makeDatabase(in: folder), sealKey: sealKey,
                                deadlines: config.deadlines, timeZone: config.timeZone, messaging: config.messaging)
        kioskSecret = try await store.addKiosk("JA0301")
    }

    /// A receipt token as kiosk JA0301 prints it.
    func token(_ receipt: String) throws -> ReceiptToken {
        let key = ReceiptKey.derived(fromCentreSecret: [UInt8](hex: kioskSecret)!, kioskCode: "JA0301")
        return ReceiptToken(receiptNumber: try ReceiptNumber(parsing: receipt), issuedAt: Date(), key: key)
    }

    /// Receives one request from kiosk JA0301 and returns its case reference.
    @discardableResult
    func receive(sequence: Int, level: HardshipLevel = .yellow, street: String = "nanjing-west",
                 createdAt: Date = Date(), receivedAt: Date = Date(), name: String = "欧阳明华", texts: Bool = false,
                 phone: String = "13912345678") async throws -> String {
        let (submission, _) = sample(sequence: sequence, level: level, street: street, createdAt: createdAt, name: name,
                                     texts: texts, phone: phone)
        guard case let .created(reference) = try await store.accept(submission, now: receivedAt) else {
            throw CenterError(description: "not created")
        }
        return reference
    }

    func addStaff(_ name: String, _ role: StaffRole) async throws {
        try await store.addStaff(name, role: role, password: Self.password, actor: "test")
    }

    @discardableResult
    func perform(_ action: CaseAction, on reference: String, by actor: String = "li.adviser", role: StaffRole = .adviser,
                 now: Date = Date()) async throws -> CaseChange {
        try await store.perform(action, on: reference, by: actor, role: role, rules: config.cases,
                          partner: config.partner, now: now)
    }

    static let password = "correct horse battery"
}

/// A request as a kiosk sends it: the wire body and its decoded form.
func sample(sequence: Int, level: HardshipLevel = .yellow, street: String = "nanjing-west", createdAt: Date = Date(),
            name: String = "欧阳明华", kiosk: String = "JA0301", texts: Bool = false,
            phone: String = "13912345678") -> (IntakeSubmission, Data) {
    let receipt = ReceiptNumber(kioskCode: kiosk, day: "261129", sequence: sequence)
    let id = UUID().uuidString.lowercased()
    let reasons = level == .red ? "[\"emergency food=none-today\"]" : "[\"score 7 >= 6 (yellow)\"]"
    let json = """
        {"answers":[{"option":"none-today","question":"food"}],"applicant":{"addressDetail":"武定路 1 弄 2 号",
        "community":"wuding","householdSize":3,"name":"\(name)","phone":"\(phone)","residentId":"11010519491231002X",
        "street":"\(street)"\(texts ? ",\"textMessages\":true" : "")},"consent":{"givenAt":\(Int64(createdAt.timeIntervalSince1970 * 1000)),"version":"consent-v1"},
        "createdAt":\(Int64(createdAt.timeIntervalSince1970 * 1000)),"description":"腿脚不便独居",
        "hardship":{"level":"\(level.rawValue)","reasons":\(reasons),"scores":{"development":0,"economic":6,"social":1}},
        "kioskCode":"\(kiosk)","language":"zh-Hans","programme":"elderly-wellbeing","receiptNumber":"\(receipt)",
        "service":"meal-assistance","submissionId":"\(id)"}
        """
    let body = Data(json.utf8)
    return (try! IntakeSubmission.decode(body), body)
}
