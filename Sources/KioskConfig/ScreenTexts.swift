import Foundation
import KioskDomain

/// Every text the front shows, by key, in both languages. Configuration must
/// give each key below and no other, so no screen can show a blank.
public struct ScreenTexts: Sendable {
    public enum Key: String, Sendable, CaseIterable {
        case welcomeTitle = "welcome.title"
        case welcomeBody = "welcome.body"
        case welcomeStart = "welcome.start"
        case languageSwitch = "welcome.language"
        case helpLine = "nav.help"
        case back = "nav.back"
        case next = "nav.next"
        case programmeTitle = "programme.title"
        case serviceTitle = "service.title"
        case assessmentTitle = "assessment.title"
        case contactTitle = "contact.title"
        case fieldName = "field.name"
        case fieldPhone = "field.phone"
        case fieldResidentID = "field.resident_id"
        case fieldStreet = "field.street"
        case fieldCommunity = "field.community"
        case fieldAddressDetail = "field.address_detail"
        case fieldHouseholdSize = "field.household_size"
        case fieldDescription = "field.description"
        case optional = "field.optional"
        case consentTitle = "consent.title"
        case consentAccept = "consent.accept"
        case consentDecline = "consent.decline"
        case declinedTitle = "declined.title"
        case declinedBody = "declined.body"
        case reviewTitle = "review.title"
        case reviewEdit = "review.edit"
        case reviewSubmit = "review.submit"
        case submitting = "submit.progress"
        case submitFailed = "submit.failed"
        case receiptTitle = "receipt.title"
        case receiptNumber = "receipt.number"
        case receiptNextSteps = "receipt.next_steps"
        case receiptQRHint = "receipt.qr_hint"
        case receiptCentreCopy = "receipt.centre_copy"
        case receiptIssuedAt = "receipt.issued_at"
        case receiptRequest = "receipt.request"
        case receiptHotlines = "receipt.hotlines"
        case receiptCentre = "receipt.centre"
        case receiptHardship = "receipt.hardship"
        case receiptContact = "receipt.contact"
        case receiptTestPage = "receipt.test_page"
        case hardshipRed = "hardship.red"
        case hardshipYellow = "hardship.yellow"
        case hardshipGreen = "hardship.green"
        case printQueued = "print.queued"
        case printDone = "print.done"
        case printFailed = "print.failed"
        case emergencyTitle = "emergency.title"
        case emergencyBody = "emergency.body"
        case emergencyContinue = "emergency.continue"
        case receiptNoQR = "receipt.no_qr"
        case receiptCentreCopyNote = "receipt.centre_copy_note"
        case idleCountdown = "idle.countdown"
        case errorRequired = "error.required"
        case errorTooLong = "error.too_long"
        case errorControlCharacters = "error.control_characters"
        case errorPhone = "error.phone"
        case errorResidentIDFormat = "error.resident_id_format"
        case errorResidentIDDate = "error.resident_id_date"
        case errorResidentIDChecksum = "error.resident_id_checksum"
        case errorOutOfRange = "error.out_of_range"
        case errorChoice = "error.choice"
        // Added in 1.1: a texts.yaml from 1.0 lacks them and gets `builtIn`.
        case welcomeBodyNoPrinter = "welcome.body_no_printer"
        case welcomeConsult = "welcome.consult"
        case helpLineText = "nav.help_text"
        case askName = "ask.name"
        case askPhone = "ask.phone"
        case askResidentID = "ask.resident_id"
        case askStreet = "ask.street"
        case askCommunity = "ask.community"
        case askAddressDetail = "ask.address_detail"
        case askHouseholdSize = "ask.household_size"
        case askDescription = "ask.description"
        case hintPhone = "hint.phone"
        case hintResidentID = "hint.resident_id"
        case hintHouseholdSize = "hint.household_size"
        case hintCount = "hint.count"
        case streetUnsure = "choice.street_unsure"
        case communityUnsure = "choice.community_unsure"
        case declinedHotlines = "declined.hotlines"
        case receiptNoPrinter = "receipt.no_printer"
        case receiptNoCall = "receipt.no_call"
        case consultTitle = "consult.title"
        case consultServices = "consult.services"
        case consultApply = "consult.apply"
        case consultAsk = "consult.ask"
        case welcomeProgress = "welcome.progress"
        case progressTitle = "progress.title"
        case progressEnter = "progress.enter"
        case progressFormat = "progress.format_error"
        case progressCheck = "progress.check_error"
        case progressNotThisKiosk = "progress.not_this_kiosk"
        case progressUnknown = "progress.unknown"
        case progressWaiting = "progress.waiting"
        case progressSent = "progress.sent"
        case progressSetAside = "progress.set_aside"
        case progressReceived = "progress.received"
        case progressAccepted = "progress.accepted"
        case progressAssigned = "progress.assigned"
        case progressContacted = "progress.contacted"
        case progressReferred = "progress.referred"
        case progressInService = "progress.in_service"
        case progressClosed = "progress.closed"
        case outcomeHelped = "outcome.helped"
        case outcomeReferredConfirmed = "outcome.referred_confirmed"
        case outcomeNotEligible = "outcome.not_eligible"
        case outcomeWithdrawn = "outcome.withdrawn"
        case outcomeUnreachable = "outcome.unreachable"
        case outcomeDuplicate = "outcome.duplicate"
        case receiptProgressHint = "receipt.progress_hint"
        case receiptProgressCode = "receipt.progress_code"
        case progressCodeEnter = "progress.code_enter"
        case progressCodeError = "progress.code_error"
        case progressExists = "progress.exists"
        case progressTooMany = "progress.too_many"
        case progressSessionLimit = "progress.session_limit"
        case anyKeyReturns = "nav.any_key"
        // Added with referrals that partners answer.
        case progressReferralReceived = "progress.referral_received"
        case progressReferralAccepted = "progress.referral_accepted"
        case progressReferralDeclined = "progress.referral_declined"
        case progressReferralCompleted = "progress.referral_completed"
        // Added with text messages to the resident.
        case askTextMessages = "ask.text_messages"
        case fieldTextMessages = "field.text_messages"
        case textMessagesYes = "choice.text_messages_yes"
        case textMessagesNo = "choice.text_messages_no"
    }

    /// The consent text a resident agrees to; its version is stored with
    /// each request so the centre knows exactly what was agreed.
    public struct ConsentText: Sendable {
        public var version: String
        public var text: LocalizedText
    }

    public var consent: ConsentText
    private var texts: [Key: LocalizedText]

    init(consent: ConsentText, texts: [Key: LocalizedText]) {
        self.consent = consent
        self.texts = texts.merging(Key.allCases.compactMap { key in key.builtIn.map { (key, $0) } }) { given, _ in given }
        precondition(self.texts.count == Key.allCases.count, "configuration reading checks every key")
    }

    public subscript(key: Key, language: Language) -> String {
        texts[key]![language]
    }

    public subscript(key: Key) -> LocalizedText {
        texts[key]!
    }

    /// The words for a hardship level: never colour alone.
    public func hardship(_ level: HardshipLevel) -> LocalizedText {
        switch level {
        case .red: self[.hardshipRed]
        case .yellow: self[.hardshipYellow]
        case .green: self[.hardshipGreen]
        }
    }

    /// The message the front shows under a field for a broken rule, with
    /// `{max}` and `{min}` filled in from the rule.
    public func message(for error: ValidationError, in language: Language) -> String {
        let key: Key
        var limits: (min: Int, max: Int)?
        switch error.rule {
        case .required, .notAnswered: key = .errorRequired
        case let .tooLong(max):
            key = .errorTooLong
            limits = (0, max)
        case let .tooManyBytes(maxBytes):
            // Bytes mean nothing to a resident; a CJK character is three.
            key = .errorTooLong
            limits = (0, maxBytes / 3)
        case .controlCharacters: key = .errorControlCharacters
        case .phoneFormat: key = .errorPhone
        case .residentIDFormat: key = .errorResidentIDFormat
        case .residentIDBirthDate: key = .errorResidentIDDate
        case .residentIDChecksum: key = .errorResidentIDChecksum
        case let .outOfRange(range):
            key = .errorOutOfRange
            limits = (range.lowerBound, range.upperBound)
        case .unknownChoice: key = .errorChoice
        }
        var text = self[key, language]
        if let limits {
            text = text.replacingOccurrences(of: "{min}", with: String(limits.min))
                .replacingOccurrences(of: "{max}", with: String(limits.max))
        }
        return text
    }
}
