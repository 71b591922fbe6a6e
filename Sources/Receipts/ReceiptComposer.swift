import IntakeProtocol
import Foundation
import KioskConfig
import KioskDomain
import QRCode

/// Which printed copy.
public enum ReceiptCopy: String, Sendable, CaseIterable {
    /// Always printed: what the resident takes away. No personal data.
    case resident
    /// Printed when configured: the staff's ticket, with hardship level and contact details.
    case centre

    /// The copies a submitted request gets: the resident's always, the centre's when configured.
    public static func printed(for settings: ReceiptSettings) -> [ReceiptCopy] {
        settings.printsCentreCopy ? [.resident, .centre] : [.resident]
    }
}

/// What a receipt is drawn from. The resident's copy needs only what the
/// kiosk keeps in the clear, so it can be drawn (and reprinted) from the
/// queue's row; the centre's copy also needs the contact details, which
/// exist in the clear only in the memory of the front that took the request.
public struct ReceiptContent: Sendable {
    public var receiptNumber: ReceiptNumber
    public var createdAt: Date
    public var language: Language
    public var programmeID: String
    public var serviceID: String
    public var level: HardshipLevel
    /// nil when drawn from the queue's row.
    public var applicant: Applicant?
    public var description: String

    public init(receiptNumber: ReceiptNumber, createdAt: Date, language: Language, programmeID: String,
                serviceID: String, level: HardshipLevel, applicant: Applicant? = nil, description: String = "") {
        self.receiptNumber = receiptNumber
        self.createdAt = createdAt
        self.language = language
        self.programmeID = programmeID
        self.serviceID = serviceID
        self.level = level
        self.applicant = applicant
        self.description = description
    }

    public init(_ submission: Submission) {
        let request = submission.request
        self.init(receiptNumber: submission.receiptNumber, createdAt: submission.createdAt, language: request.language,
                  programmeID: request.programmeID, serviceID: request.serviceID, level: request.triage.level,
                  applicant: request.applicant, description: request.description)
    }
}

/// Turns a request into receipt documents, following the layout.
public struct ReceiptComposer: Sendable {
    public let config: KioskConfiguration
    public let layout: ReceiptLayout

    public init(config: KioskConfiguration, layout: ReceiptLayout) {
        self.config = config
        self.layout = layout
    }

    var correction: QRErrorCorrection {
        QRErrorCorrection(rawValue: config.receipt.qrErrorCorrection) ?? .medium
    }

    /// The QR matrix for a token, as both the screen and the paper show it.
    public func qrMatrix(for token: ReceiptToken) throws(QRError) -> QRMatrix {
        try QREncoder.encode(token.qrPayload(urlPrefix: config.receipt.urlPrefix), correction: correction)
    }

    public func document(_ copy: ReceiptCopy, for submission: Submission, token: ReceiptToken) throws(QRError)
        -> ReceiptDocument {
        try document(copy, for: ReceiptContent(submission), token: token)
    }

    public func document(_ copy: ReceiptCopy, for content: ReceiptContent, token: ReceiptToken) throws(QRError)
        -> ReceiptDocument {
        // Staff read the centre copy in Chinese; the resident's in their language.
        let language = copy == .centre ? Language.chinese : content.language
        let entries = copy == .centre ? layout.centreCopy : layout.residentCopy
        let matrix = try qrMatrix(for: token)
        let blocks = entries.flatMap { entry in
            self.blocks(entry, language: language, content: content, token: token, matrix: matrix)
        }
        return document(blocks, title: "\(content.receiptNumber) \(copy.rawValue)")
    }

    /// A test page with a QR code, for `kioskctl printer test`.
    public func testPage(now: Date) throws(QRError) -> ReceiptDocument {
        let matrix = try QREncoder.encode("KIOSK-TEST-\(config.identity.kioskCode)", correction: correction)
        let blocks = layout.testPage.flatMap { entry -> [ReceiptDocument.Block] in
            let style = entry.style.flatMap { layout.styles[$0] } ?? ReceiptLayout.Style(size: 9)
            switch entry.block {
            case .qr: return [.qr(matrix)]
            case .rule: return [.rule]
            case .centreName: return [.text(config.centre.name.chinese, style)]
            case .testNotice:
                return [.text("\(config.texts[.receiptTestPage].chinese) · \(config.identity.kioskCode)", style)]
            case .issuedAt: return [.text(timestamp(now), style)]
            case .hotlines: return hotlines(.chinese).map { .text($0, style) }
            default: return []
            }
        }
        return document(blocks, title: "test page \(config.identity.kioskCode)")
    }

    private func document(_ blocks: [ReceiptDocument.Block], title: String) -> ReceiptDocument {
        let width = config.receipt.rollWidthMillimetres
        return ReceiptDocument(
            rollWidthMM: Double(width), printableWidthMM: layout.printableWidthMM[width] ?? Double(width) - 8,
            marginTopMM: layout.marginTopMM, marginBottomMM: layout.marginBottomMM,
            blockSpacingMM: layout.blockSpacingMM, qr: layout.qr, fontFamily: config.receipt.fontFamily,
            blocks: blocks, title: title)
    }

    private func blocks(_ entry: ReceiptLayout.Entry, language: Language, content: ReceiptContent,
                        token: ReceiptToken, matrix: QRMatrix) -> [ReceiptDocument.Block] {
        let texts = config.texts
        let style = entry.style.flatMap { layout.styles[$0] } ?? ReceiptLayout.Style(size: 9)
        func text(_ value: String) -> [ReceiptDocument.Block] { [.text(ReceiptText.keepingNumbersWhole(value), style)] }
        switch entry.block {
        case .rule: return [.rule]
        case .qr: return [.qr(matrix)]
        case .centreName: return text(config.centre.name[language])
        case .title: return text(texts[.receiptTitle, language])
        case .copyMarker: return text(texts[.receiptCentreCopy, language])
        case .receiptNumberLabel: return text(texts[.receiptNumber, language])
        // A receipt number too long for a narrow roll breaks at its hyphens.
        // (Pango reads "261130-0001" as one number; a zero-width space allows the break.)
        case .receiptNumber:
            return [.text(content.receiptNumber.description.replacingOccurrences(of: "-", with: "-\u{200B}"), style)]
        case .issuedAt: return text("\(texts[.receiptIssuedAt, language]) \(timestamp(content.createdAt))")
        case .request:
            let programme = config.catalog.programme(content.programmeID)
            let service = config.catalog.service(content.serviceID, in: content.programmeID)
            return text("\(texts[.receiptRequest, language]): \(programme?.name[language] ?? content.programmeID) · \(service?.name[language] ?? content.serviceID)")
        case .qrHint: return text(texts[.receiptQRHint, language])
        case .progressHint: return text(texts[.receiptProgressHint, language])
        case .progressCode: return text(texts[.receiptProgressCode, language].replacingOccurrences(of: "{code}", with: token.progressCode))
        case .nextSteps: return text(texts[.receiptNextSteps, language])
        case .hotlines: return hotlines(language).map { .text($0, style) }
        case .noCall:
            return text(texts[.receiptNoCall, language].replacingOccurrences(of: "{number}", with: config.assistanceHotline.number))
        case .centreAddress:
            return text("\(texts[.receiptCentre, language]): \(config.centre.address[language]) · \(config.centre.hours[language])")
        case .hardship:
            return text("\(texts[.receiptHardship, language]): \(texts.hardship(content.level)[language])")
        case .contact:
            // Only the process that took the request holds it (see ReceiptContent).
            guard let applicant = content.applicant else { return [] }
            let area = config.areas.first { $0.code == applicant.street }
            let community = area?.communities.first { $0.code == applicant.community }
            var lines = [
                "\(texts[.receiptContact, language]): \(applicant.name)  \(applicant.phone.digits)",
                "\(area?.name[language] ?? applicant.street) \(community?.name[language] ?? applicant.community) \(applicant.addressDetail)",
                "\(texts[.fieldHouseholdSize, language]): \(applicant.householdSize)",
            ]
            if let id = applicant.residentID { lines.append("\(texts[.fieldResidentID, language]): \(Self.masked(id))") }
            if !content.description.isEmpty { lines.append(content.description) }
            return lines.map { .text($0, style) }
        case .testNotice: return []
        }
    }

    /// A heading, then one hotline a line, number first. Where a line is too
    /// narrow it breaks between number and label, or between the label's
    /// words, never inside a number or a Chinese word.
    private func hotlines(_ language: Language) -> [String] {
        [config.texts[.receiptHotlines, language]]
            + config.hotlines.map { "\(ReceiptText.unbreakable($0.number)) \(ReceiptText.unbreakable($0.label[language]))" }
    }

    private func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = config.identity.timeZone
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", p.year!, p.month!, p.day!, p.hour!, p.minute!)
    }

    /// Region code and last four only: staff can match a card, a lost ticket
    /// does not give the whole number away.
    static func masked(_ id: ResidentID) -> String {
        String(id.value.prefix(6)) + String(repeating: "*", count: 8) + String(id.value.suffix(4))
    }
}
