import Foundation
import Hummingbird
import IntakeProtocol
import NIOCore

/// An intake request's context: Hummingbird's basics, the peer's address
/// (the limits key on it), and, once `KioskSignatureMiddleware` has checked
/// the request, the kiosk that signed it with the body it signed.
public struct IntakeContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// Set for every route under `api/v1` before its handler runs.
    public var signed: SignedRequest?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// A request whose signature, kiosk and clock were checked.
public struct SignedRequest: Sendable {
    /// The registered kiosk that signed it (its `Kiosk-Code`).
    public var kiosk: String
    public var body: Data
    /// The kiosk's signer, to sign the answer.
    public var signer: RequestSigner
}
