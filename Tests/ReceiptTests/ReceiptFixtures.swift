import Foundation
import IntakeProtocol
import KioskConfig
import KioskDomain
import KioskStore
import Receipts
import StorageSupport

let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A kiosk state folder with keys, a database and the shipped configuration,
/// optionally edited (e.g. a shorter print timeout).
struct KioskFixture {
    let state: URL
    let configFolder: URL
    let config: KioskConfiguration
    let layout: ReceiptLayout
    let store: KioskStore
    let receiptKey: ReceiptKey

    init(edits: [(file: String, old: String, new: String)] = []) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-receipts-\(UUID().uuidString)")
        state = root.appendingPathComponent("state")
        configFolder = root.appendingPathComponent("config")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("kiosk-config"), to: configFolder)
        for edit in edits {
            let url = configFolder.appendingPathComponent(edit.file)
            let text = try String(contentsOf: url, encoding: .utf8)
            precondition(text.contains(edit.old), "fixture edit does not match \(edit.file)")
            try text.replacingOccurrences(of: edit.old, with: edit.new).write(to: url, atomically: true, encoding: .utf8)
        }
        config = try ConfigurationLoader.load(from: configFolder)
        layout = try ReceiptLayout.load(from: repositoryRoot.appendingPathComponent("assets/receipt-layout.yaml"))
        let credentials = CredentialStore(stateDirectory: state, environment: [:])
        try credentials.createKeyIfMissing(named: config.credentials.receiptKey)
        receiptKey = ReceiptKey(bytes: try credentials.key(named: config.credentials.receiptKey))
        store = try KioskStore(path: state.appendingPathComponent("kiosk.sqlite").path,
                               centreKey: try CentrePrivateKey(rawBytes: CentrePrivateKey.generate()).publicKey,
                               issuer: ReceiptIssuer(kioskCode: config.identity.kioskCode, timeZone: config.identity.timeZone))
    }

    static let name = "<b>欧阳</b>&amp;明华"
    static let phone = "13912345678"

    func submit(language: Language = .chinese, name: String = KioskFixture.name) throws -> Submission {
        let answers = config.assessment.questions.map {
            AssessmentAnswer(questionID: $0.id, optionID: $0.id == "shelter" ? "none-tonight" : $0.options[0].id)
        }
        let draft = SubmissionDraft(
            language: language, programmeID: "elderly-wellbeing", serviceID: "meal-assistance", answers: answers,
            name: name, phone: Self.phone, residentID: "11010519491231002X", street: "nanjing-west",
            community: "wuding", addressDetail: "武定路 1 弄 2 号", householdSize: 2, description: "",
            consentVersion: config.texts.consent.version, consentedAt: Date())
        return try store.submit(try draft.validate(in: config.validationContext(now: Date())))
    }

    func token(_ submission: Submission) -> ReceiptToken {
        ReceiptToken(receiptNumber: submission.receiptNumber, issuedAt: submission.createdAt, key: receiptKey)
    }

    var environment: [String: String] {
        ["KIOSK_CONFIG": configFolder.path, "KIOSK_STATE": state.path,
         "KIOSK_ASSETS": repositoryRoot.appendingPathComponent("assets").path]
    }
}

/// Runs a program and returns its exit status and standard output.
@discardableResult
func runProgram(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws
    -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The text of a PDF, through poppler's pdftotext.
func pdfText(_ url: URL) throws -> String {
    try runProgram("/usr/bin/pdftotext", ["-layout", url.path, "-"]).output
}

/// The QR codes zbar finds in a PDF rendered at 300 dpi.
func pdfQRCodes(_ url: URL) throws -> [String] {
    let prefix = url.deletingPathExtension().path + "-page"
    try runProgram("/usr/bin/pdftoppm", ["-r", "300", "-png", "-singlefile", url.path, prefix])
    let result = try runProgram("/usr/bin/zbarimg", ["--nodbus", "--quiet", "--raw", prefix + ".png"])
    return result.output.split(separator: "\n").map(String.init)
}

/// `pdfinfo`'s page size in points.
func pdfPageSize(_ url: URL) throws -> (width: Double, height: Double) {
    let info = try runProgram("/usr/bin/pdfinfo", [url.path]).output
    let line = info.split(separator: "\n").first { $0.hasPrefix("Page size:") } ?? ""
    let numbers = line.split(whereSeparator: { $0 == " " }).compactMap { Double($0) }
    return (numbers.first ?? 0, numbers.dropFirst().first ?? 0)
}

func productsDirectory() -> URL {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    if FileManager.default.fileExists(atPath: beside.appendingPathComponent("kioskctl").path) { return beside }
    return repositoryRoot.appendingPathComponent(".build/debug")
}
