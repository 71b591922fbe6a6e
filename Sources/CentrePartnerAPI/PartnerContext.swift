import CentreIntake
import Foundation
import Hummingbird
import IntakeProtocol
import NIOCore

/// A partner API request's context: the intake listener's, and once
/// `PartnerSignatureMiddleware` has checked it, the partner that signed it.
struct PartnerContext: ChildRequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    var signed: SignedPartnerRequest?

    init(context: IntakeContext) throws {
        coreContext = context.coreContext
        remoteAddress = context.remoteAddress
    }

    func requirePartner() throws -> SignedPartnerRequest {
        guard let signed else { throw HTTPError(.internalServerError) }
        return signed
    }
}

/// A request whose signature, partner and clock were checked.
struct SignedPartnerRequest: Sendable {
    var partner: String
    var body: Data

    /// Who the access log names for what this partner's system did.
    var actor: String { "partner-api:\(partner)" }
}
