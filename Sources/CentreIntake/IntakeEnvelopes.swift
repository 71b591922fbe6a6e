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
            let submission: IntakeSubmission
            do { submission = try open(body: body) } catch {
                switch error {
                case .malformed: throw OfflineBundle.OpenError(description: "the bundle holds a body that is not a submission")
                case let .sealing(reason): throw OfflineBundle.OpenError(description: reason)
                }
            }
            if let issue = submission.problem(headerKiosk: bundle.kioskCode,
                                              idempotencyKey: submission.submissionId.uuidString) {
                throw OfflineBundle.OpenError(description: "receipt \(submission.receiptNumber): \(issue)")
            }
            submissions.append(submission)
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
