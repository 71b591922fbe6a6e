import Foundation
import KioskConfig
import IntakeProtocol
import KioskDomain
@testable import KioskStore

let shippedConfigFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("kiosk-config")

/// A fresh state folder, a real database file in it, and the shipped config.
struct StoreFixture {
    let folder: URL
    let config: KioskConfiguration
    /// The centre's key pair: the store seals to its public half; tests open with the private one.
    let centreKey: CentrePrivateKey

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        config = try ConfigurationLoader.load(from: shippedConfigFolder)
        centreKey = try CentrePrivateKey(rawBytes: CentrePrivateKey.generate())
    }

    var databasePath: String { folder.appendingPathComponent("kiosk.sqlite").path }

    /// The store as the front opens it (sealing to `centreKey`), or with
    /// `sealing: false` as every other process does.
    func open(sealing: Bool = true) throws -> KioskStore {
        try KioskStore(path: databasePath, centreKey: sealing ? centreKey.publicKey : nil,
                       issuer: ReceiptIssuer(kioskCode: config.identity.kioskCode, timeZone: config.identity.timeZone))
    }

    static let name = "欧阳明华"
    static let phone = "13912345678"
    static let residentID = "11010519491231002X"

    /// A valid request; `emergency` picks the "no food today" answer.
    func request(emergency: Bool = false, name: String = StoreFixture.name, now: Date = morning) throws -> ValidatedRequest {
        let answers = config.assessment.questions.map { question in
            AssessmentAnswer(questionID: question.id,
                             optionID: emergency && question.id == "food" ? "none-today" : question.options[0].id)
        }
        let draft = SubmissionDraft(
            language: .chinese, programmeID: "elderly-wellbeing", serviceID: "meal-assistance", answers: answers,
            name: name, phone: Self.phone, residentID: Self.residentID, street: "nanjing-west",
            community: "wuding", addressDetail: "武定路 1 弄 2 号", householdSize: 3, description: "独居，腿脚不便",
            consentVersion: config.texts.consent.version, consentedAt: now)
        return try draft.validate(in: config.validationContext(now: now))
    }

    /// Every byte of the database, its WAL and shared memory file.
    func rawFileBytes() throws -> Data {
        var data = Data()
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: databasePath + suffix) {
            data.append(try Data(contentsOf: URL(fileURLWithPath: databasePath + suffix)))
        }
        return data
    }
}

extension Data {
    func contains(text: String) -> Bool {
        range(of: Data(text.utf8)) != nil
    }
}

/// 2026-11-29 10:00 in Shanghai.
let morning = Date(timeIntervalSince1970: 1_795_917_600)
