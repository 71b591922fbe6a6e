import Foundation
import KioskDomain
import KioskStore
import QRCode

/// Which screen the resident is on.
public enum Step: Sendable, Hashable {
    case welcome
    /// Learning what help exists, nothing collected: the programmes, one
    /// programme's services, one service's page.
    case consultProgrammes
    case consultServices(programme: Int)
    case consultService(programme: Int, service: Int)
    /// Checking a request: typing its receipt number, its progress code,
    /// then its progress.
    case progressEntry
    case progressCode
    case progress
    case programme
    case service
    case question(Int)
    case field(ContactField)
    case consent
    case declined
    case review
    case submitting
    case receipt
    case submitFailed
}

/// What the receipt screen shows once the request is stored.
public struct ReceiptInfo: Sendable, Hashable {
    public var submissionID: UUID
    public var number: ReceiptNumber
    public var token: String
    public var qr: QRMatrix?
    /// The four digits that, with the number, show the request's progress.
    public var progressCode: String

    public init(submissionID: UUID, number: ReceiptNumber, token: String, qr: QRMatrix?, progressCode: String = "") {
        self.submissionID = submissionID
        self.number = number
        self.token = token
        self.qr = qr
        self.progressCode = progressCode
    }
}

/// The resident's copy as the receipt screen reports it.
public enum PrintProgress: Sendable, Hashable {
    case queued, printed, failed
    /// This kiosk runs without a printer: nothing failed, nobody was told.
    case noPrinter
}

/// A part of the request the review screen offers to change; each leads
/// through all of its screens and back to review, to the same option.
public enum ReviewGroup: Int, Sendable, Hashable {
    case service = 1, answers, contact
}

/// A tap target's meaning, found by hit-testing the last frame.
public enum TapAction: Sendable, Hashable {
    case choose(Int)
    case back
    case next
    case toggleLanguage
}

/// What happens to the front: input, time passing, and the results of the
/// effects it asked for.
public enum FrontEvent: Sendable {
    case input(InputEvent)
    case tap(TapAction)
    case tick
    case submitted(ReceiptInfo)
    case submitFailed
    case printProgress(PrintProgress)
    /// A receipt's QR code was scanned: its number when the token is this
    /// kiosk's and genuine, nil when not.
    case scanned(ReceiptNumber?)
    /// The answer to `.lookUpProgress`.
    case progressAnswered(ProgressAnswer)
}

/// What a look-up of a receipt's progress found.
public enum ProgressAnswer: Sendable, Equatable {
    /// The steps: the look-up was proved by a scanned code or the progress code.
    case details(ReceiptProgress)
    /// A number alone: only whether this kiosk holds it.
    case exists(Bool)
    case wrongCode
    /// Too many look-ups at this kiosk just now: try again after this many seconds.
    case tooMany(seconds: Int)
}

/// What proves a look-up is the resident's own.
public enum ProgressProof: Sendable, Hashable {
    /// The receipt's QR code, its signature checked.
    case scanned
    /// The four digits typed beside the number, checked when looked up.
    case code(String)
    /// Nothing: the answer says only whether the number exists.
    case none
}

/// Why a typed or scanned receipt number was not looked up.
public enum ProgressProblem: Sendable, Hashable {
    case format, checkCharacter, notThisKiosk
    case codeFormat, wrongCode, sessionLimit
    case tooMany(seconds: Int)
}

/// What the front asks its loop to do; `update` itself stays pure.
public enum FrontEffect: Sendable, Hashable {
    /// Store the request durably, then answer with `.submitted` or `.submitFailed`.
    case submit(SubmissionDraft)
    /// A session ended: clear the terminal and its scrollback.
    case wipeScreen
    /// Read the resident's print job and answer with `.printProgress`.
    case checkPrint(UUID)
    /// Read a receipt's progress and answer with `.progressAnswered` (as much as `ProgressProof` allows).
    case lookUpProgress(ReceiptNumber, ProgressProof)
}

/// The whole state of the front: the screen, the half-entered request and
/// the clocks. Wiped to `init` when a session ends.
public struct FrontState: Sendable {
    public var language: Language = .default
    public var step: Step = .welcome
    /// The highlighted option on a choice screen.
    public var cursor = 0
    /// Household size starts unset (0) so the resident types it, not accepts a default.
    public var draft = SubmissionDraft(householdSize: 0)
    /// The text being typed into the current field.
    public var input = ""
    /// The rule the current field broke; the view words it in the language.
    public var fieldError: ValidationError?
    /// The emergency numbers cover the screen until a key is pressed.
    public var showingEmergency = false
    /// List fields the resident has answered, "not sure" included.
    public var answeredLists: Set<ContactField> = []
    /// The part being changed from the review screen: its last screen returns there.
    public var editing: ReviewGroup?
    public var receipt: ReceiptInfo?
    /// The progress screen's content, and why a number was not looked up.
    public var progress: ReceiptProgress?
    /// A number looked up without its code: whether it exists.
    public var progressExists: Bool?
    public var progressProblem: ProgressProblem?
    /// The receipt number being checked (typed or scanned).
    public var progressNumber: ReceiptNumber?
    /// Typed look-ups this session (`FrontState.lookUpsPerSession`).
    public var typedLookUps = 0
    /// Where a scan interrupted a request: the progress screen returns there.
    public var resumeStep: Step?
    public var printProgress: PrintProgress = .queued
    /// The last time the resident did anything; idle time counts from here.
    public var lastActivity: ContinuousClock.Instant
    public var now: ContinuousClock.Instant

    public init(now: ContinuousClock.Instant) {
        lastActivity = now
        self.now = now
    }

    /// A new session: everything the resident entered is gone.
    func wiped(language: Language = .default) -> FrontState {
        var fresh = FrontState(now: now)
        fresh.language = language
        return fresh
    }
}
