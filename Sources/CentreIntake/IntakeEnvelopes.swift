import CentreStore
import Foundation
import IntakeProtocol

/// Opens what kiosks sealed to the centre. Only intake (`serve`, `import`)
/// holds the intake key; the store never sees an envelope, only what was in it.
public struct IntakeEnvelopes: Sendable {
    private let key: CentrePrivateKey

    public init(key: CentrePrivateKey) {
        self.key = key
    }

    /// A body as a kiosk sent it alone: sealed or (from kiosks before sealing to the centre) plain.
    public func open(body: Data) throws(IntakeBody.Failure) -> IntakeSubmission {
        try IntakeBody.decode(body, intakeKey: key)
    }

    /// One sealed submission of a batch.
    public func open(_ sealed: SealedSubmission) throws(IntakeBody.Failure) -> IntakeSubmission {
        try IntakeBody.open(sealed, intakeKey: key)
    }

    /// Why a request was not admitted.
    enum Refusal: Error {
        case notASubmission
        /// Its sealed part does not open with the intake key.
        case doesNotOpen(String)
        /// It breaks the protocol's rules for the kiosk that sent it, or for its id.
        case invalid(String, receiptNumber: String)
    }

    /// Opens one request and checks it against the kiosk that sent it and its
    /// id (nil: the one inside it): the one check for requests over HTTP and in bundles.
    static func admit(kiosk: String, submissionID: String?,
                      _ open: () throws(IntakeBody.Failure) -> IntakeSubmission) -> Result<IntakeSubmission, Refusal> {
        let submission: IntakeSubmission
        do { submission = try open() } catch {
            switch error {
            case .malformed: return .failure(.notASubmission)
            case let .sealing(reason): return .failure(.doesNotOpen(reason))
            }
        }
        if let issue = submission.problem(headerKiosk: kiosk,
                                          idempotencyKey: submissionID ?? submission.submissionId.uuidString) {
            return .failure(.invalid(issue, receiptNumber: submission.receiptNumber))
        }
        return .success(submission)
    }

    /// Ingests an offline bundle from a kiosk (`kiosk-center import`): opened
    /// with that kiosk's secret, each request opened and checked as intake
    /// checks it, then stored once. Returns (new, already held).
    public func importBundle(_ bundle: OfflineBundle, into store: CenterStore) async throws -> (created: Int, duplicates: Int) {
        // Any generation of the kiosk's secret: a bundle made before a rotation still opens.
        let secrets = try await store.bundleSecrets(of: bundle.kioskCode)
        guard !secrets.isEmpty else {
            throw OfflineBundle.OpenError(description: "kiosk \(bundle.kioskCode) is not registered, or was revoked")
        }
        var opened: [Data]?
        var refusal: (any Error)?
        for secret in secrets where opened == nil {
            do { opened = try bundle.open(secret: secret) } catch { refusal = error }
        }
        guard let bodies = opened else { throw refusal! }
        var submissions: [IntakeSubmission] = []
        for body in bodies {
            // A bundle has no Idempotency-Key: each body is checked against its own id.
            switch Self.admit(kiosk: bundle.kioskCode, submissionID: nil, { () throws(IntakeBody.Failure) in try open(body: body) }) {
            case let .success(submission): submissions.append(submission)
            case .failure(.notASubmission):
                throw OfflineBundle.OpenError(description: "the bundle holds a body that is not a submission")
            case let .failure(.doesNotOpen(reason)): throw OfflineBundle.OpenError(description: reason)
            case let .failure(.invalid(issue, receipt)):
                throw OfflineBundle.OpenError(description: "receipt \(receipt): \(issue)")
            }
        }
        var created = 0, duplicates = 0
        for (submission, outcome) in zip(submissions, try await store.acceptAll(submissions, source: "import")) {
            switch try outcome.get() {
            case .created: created += 1
            case .duplicate: duplicates += 1
            case .conflict:
                throw OfflineBundle.OpenError(description: "receipt \(submission.receiptNumber) was received with a different body")
            case let .receiptClash(holder):
                throw OfflineBundle.OpenError(description: "receipt \(submission.receiptNumber) is already held by another request (\(holder))")
            }
        }
        return (created, duplicates)
    }
}
