import CentreConfig
import CentreIntake
import CentreOperations
import CentreStore
import CentreWorkflow
import Foundation
import Hummingbird
import IntakeProtocol
import Logging

/// The API for partner organisations with a system of their own, on the
/// intake listener beside the kiosks' (`docs/partner-api.yaml`): every call
/// signed with the partner's secret (`kiosk-center partner add`), as kiosks
/// sign theirs; `GET` the referrals changed since a cursor, `POST` an answer
/// under an id the partner chose, applied exactly once.
public struct PartnerAPIController: Sendable {
    public static let prefix = "api/partner/v1"
    public static let maxBodyBytes = 16 * 1024
    public static let maxPage = 100

    let store: CenterStore
    let config: CenterConfiguration
    let logger: Logger
    let guards: PartnerGuards

    public init(store: CenterStore, config: CenterConfiguration, logger: Logger) {
        self.store = store
        self.config = config
        self.logger = logger
        guards = PartnerGuards()
    }

    /// Adds the partner routes to the intake listener's router.
    public func addRoutes(to router: Router<IntakeContext>) {
        // A method a path lacks is 405 with Allow, as on the kiosks' API (this middleware runs for every path).
        router.add(middleware: AllowedMethodsMiddleware(routes: [
            .init("\(Self.prefix)/referrals", [.get]), .init("\(Self.prefix)/referrals/:number/answers", [.post]),
        ]))
        let partners = router.group(RouterPath(Self.prefix)).group(context: PartnerContext.self)
            .add(middleware: PartnerSignatureMiddleware(store: store, config: config, guards: guards,
                                                        trustedProxies: config.trustedProxies))
        partners.get("referrals") { request, context in try await feed(request, context.requirePartner()) }
        partners.post("referrals/:number/answers") { _, context in
            try await answer(number: context.parameters.get("number") ?? "", context.requirePartner())
        }
    }

    func feed(_ request: Request, _ partner: SignedPartnerRequest) async throws -> Response {
        let query = request.uri.queryParameters
        let after = query["after"].map { Int64(String($0)) } ?? 0
        let limit = query["limit"].map { Int(String($0)) } ?? Self.maxPage
        guard let after, after >= 0, let limit, (1...Self.maxPage).contains(limit) else {
            return IntakeResponse.problem(400, "Bad query", detail: "after: a cursor ≥ 0; limit: 1 to \(Self.maxPage)")
        }
        let page = try await store.partnerFeed(partner: partner.partner, after: after, limit: limit,
                                               idSharingConsents: config.cases.partnerIDConsentVersions,
                                               viewer: partner.actor)
        return PartnerResponse.json(200, PartnerFeed(page, timeZone: config.timeZone))
    }

    func answer(number: String, _ partner: SignedPartnerRequest) async throws -> Response {
        let answer: PartnerAnswer
        do { answer = try PartnerAnswer.decode(partner.body) } catch let error as PartnerAnswer.Invalid {
            return IntakeResponse.problem(422, "Unusable answer", detail: error.description)
        } catch {
            return IntakeResponse.problem(400, "Malformed JSON", detail: "the body is not a JSON answer")
        }
        let action: ReferralAction
        do { action = try answer.action(config: config) } catch {
            return IntakeResponse.problem(422, "Unusable answer", detail: error.description)
        }
        do {
            let outcome = try await store.answerReferral(
                action, number: number, partner: partner.partner, answerID: answer.answerId,
                bodyDigest: RequestSigner.bodyDigest(partner.body), actor: partner.actor)
            switch outcome {
            case let .applied(state):
                logger.info("referral answered", metadata: ["referral.number": "\(number)", "partner": "\(partner.partner)",
                                                            "referral.action": "\(action.name)"])
                return PartnerResponse.json(200, PartnerAnswerReply(number: number, state: state.rawValue, repeated: false))
            case let .repeated(state):
                return PartnerResponse.json(200, PartnerAnswerReply(number: number, state: state.rawValue, repeated: true))
            case .conflict:
                return IntakeResponse.problem(409, "Answer id reused",
                                               detail: "this answerId was used for another answer; choose a new one")
            }
        } catch let error as WorkflowError {
            switch error.reason {
            case .unknownReferral:
                return IntakeResponse.problem(404, "No such referral", detail: "no referral \(number.prefix(24)) for this partner")
            case .referralClosed, .referralNotAllowed:
                return IntakeResponse.problem(409, "Answer not possible now", detail: error.description)
            default:
                return IntakeResponse.problem(422, "Unusable answer", detail: error.description)
            }
        }
    }
}
