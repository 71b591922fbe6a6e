import IntakeProtocol
import ArgumentParser
import Foundation
import GRDB
import KioskConfig
import KioskDomain
import KioskStore
import QRCode
import Receipts

/// `kiosk-bench submit`: the submit path (validate, seal, receipt number,
/// durable insert with its audit entry) against a bare fsync'd INSERT of the
/// same bytes with the same pragmas, on the same disk, interleaved.
struct SubmitBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Submit path against a bare durable INSERT (goal: ratio <= 1.25).")

    @Option(help: "Measured submissions (each side).")
    var count = 1000

    @Option(help: "Configuration folder (default: $KIOSK_CONFIG or ./kiosk-config).")
    var config: String?

    @Option(help: "Folder for the scratch databases (default: the current directory).")
    var dir: String?

    func run() throws {
        let configuration = try ConfigurationLoader.load(from: URL(fileURLWithPath:
            config ?? ProcessInfo.processInfo.environment["KIOSK_CONFIG"] ?? "kiosk-config"))
        let folder = try scratchFolder(dir, "submit")
        defer { try? FileManager.default.removeItem(at: folder) }

        let store = try KioskStore(
            path: folder.appendingPathComponent("kiosk.sqlite").path, centreKey: try CentrePrivateKey(rawBytes: CentrePrivateKey.generate()).publicKey,
            issuer: ReceiptIssuer(kioskCode: configuration.identity.kioskCode, timeZone: configuration.identity.timeZone))
        let bare = try BareTable(path: folder.appendingPathComponent("bare.sqlite").path)
        let draft = sampleDraft(configuration)

        // The same bytes as the submit path's row: id, receipt, sealed blob.
        let probe = try store.submit(try draft().validate(in: configuration.validationContext(now: Date())))
        let sealedSize = try store.record(id: probe.id)?.sealedPersonal?.count ?? 0
        let receipt = probe.receiptNumber.description

        let receiptKey = ReceiptKey(bytes: Array(repeating: 3, count: 32))
        var submit = Samples(), insert = Samples(), qr = Samples(), fullPath = Samples()
        let warmUp = 20
        for round in 0..<(count + warmUp) {
            let measured = round >= warmUp
            let submitOnce = {
                let typed = draft()
                submit.record(try Samples.time {
                    let request = try typed.validate(in: configuration.validationContext(now: Date()))
                    _ = try store.submit(request)
                }, if: measured)
            }
            let insertOnce = {
                insert.record(try Samples.time {
                    try bare.insert(id: UUID(), receipt: receipt, sealedSize: sealedSize)
                }, if: measured)
            }
            // Alternate which goes first so neither side always follows the other's fsync.
            if round % 2 == 0 { try submitOnce(); try insertOnce() } else { try insertOnce(); try submitOnce() }
            qr.record(try Samples.time { _ = try QREncoder.encode("K1.\(receipt).T4M2KW.AAAAAAAAAAAAAAAA") },
                      if: measured)
            // The brief's whole path: what the resident waits for before the receipt screen.
            fullPath.record(try Samples.time {
                let submission = try store.submit(try draft().validate(in: configuration.validationContext(now: Date())))
                let token = ReceiptToken(receiptNumber: submission.receiptNumber, issuedAt: submission.createdAt,
                                         key: receiptKey)
                _ = try QREncoder.encode(token.qrPayload(urlPrefix: configuration.receipt.urlPrefix))
            }, if: measured)
        }

        print("kiosk-bench submit: \(count) submissions each side, WAL, synchronous=FULL, in \(folder.path)")
        print(submit.line("submit path"))
        print(insert.line("bare durable insert"))
        print(qr.line("QR encode"))
        print(fullPath.line("submit + token + QR"))
        print(String(format: "brief: (submit+token+QR) / (insert+QR) = %.2f (goal <= 1.25)",
                     fullPath.median / (insert.median + qr.median)))
        print(String(format: "ratio %.2f", submit.median / insert.median))
    }

    /// A different resident each time: a realistic draft, as the front makes it.
    func sampleDraft(_ configuration: KioskConfiguration) -> () -> SubmissionDraft {
        let answers = configuration.assessment.questions.map {
            AssessmentAnswer(questionID: $0.id, optionID: $0.options[min(1, $0.options.count - 1)].id)
        }
        let programme = configuration.catalog.programmes[2]
        let area = configuration.areas[0]
        return {
            SubmissionDraft(
                language: .chinese, programmeID: programme.id, serviceID: programme.services[0].id, answers: answers,
                name: "张秀英", phone: "139\(Int.random(in: 10_000_000...99_999_999))", residentID: "11010519491231002X",
                street: area.code, community: area.communities[0].code, addressDetail: "武定路 100 弄 3 号 502 室",
                householdSize: 2, description: "老伴住院，一个人在家做饭困难，希望能有助餐服务。",
                consentVersion: configuration.texts.consent.version, consentedAt: Date())
        }
    }
}

/// The baseline: one table, one INSERT a transaction, same pragmas as the store.
struct BareTable {
    let pool: DatabasePool

    init(path: String) throws {
        pool = try DatabasePool(path: path)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: """
                CREATE TABLE bare (id TEXT PRIMARY KEY NOT NULL, receipt TEXT NOT NULL, created_at INTEGER NOT NULL,
                                   sealed BLOB NOT NULL)
                """)
        }
    }

    func insert(id: UUID, receipt: String, sealedSize: Int) throws {
        var blob = Data(count: sealedSize)
        blob.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, sealedSize) }
        try pool.write { db in
            try db.execute(sql: "INSERT INTO bare VALUES (?, ?, ?, ?)",
                           arguments: [id.uuidString.lowercased(), receipt, Int64(Date().timeIntervalSince1970 * 1000), blob])
        }
    }
}
