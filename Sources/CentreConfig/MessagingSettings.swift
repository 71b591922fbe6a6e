import CentreMessages
import Foundation
import KioskDomain

/// Text messages to residents (`messages.yaml`): the templates, when not
/// to send, how long to wait for a burst to settle, when to ask how the help
/// was, and the SMS gateway. Without a gateway nothing is queued or sent.
public struct MessagingSettings: Sendable, Hashable {
    public var templates: MessageTemplates
    /// Named in closing messages: where a resident asks further.
    public var centrePhone: String
    public var quietHours: QuietHours?
    /// A step waits this long for a later one (accepted, then assigned) before it is sent.
    public var coalesceSeconds: Int
    /// Days from closing to the follow-up question (回访).
    public var followUpAfterDays: Int
    /// A message with no delivery report this long after sending asks an adviser to call.
    public var deliveryReportHours: Int
    /// The first wait before a message the gateway could not take is tried again (doubling, up to an hour).
    public var retrySeconds: Int
    public var gateway: GatewaySettings?

    public init(templates: MessageTemplates, centrePhone: String, quietHours: QuietHours?, coalesceSeconds: Int,
                followUpAfterDays: Int, deliveryReportHours: Int, retrySeconds: Int = 30, gateway: GatewaySettings?) {
        self.templates = templates
        self.centrePhone = centrePhone
        self.quietHours = quietHours
        self.coalesceSeconds = coalesceSeconds
        self.followUpAfterDays = followUpAfterDays
        self.deliveryReportHours = deliveryReportHours
        self.retrySeconds = retrySeconds
        self.gateway = gateway
    }

    /// Whether messages are queued at all.
    public var isOn: Bool { gateway != nil }
}

/// Kannel's smsbox (`sendsms`), and where Kannel reaches the centre back for
/// delivery reports and replies (the intake listener, loopback or the proxy).
/// The password is the credential `kannel-sendsms.password`.
public struct GatewaySettings: Sendable, Hashable {
    public var sendURL: String
    public var username: String
    public var callbackURL: String

    public init(sendURL: String, username: String, callbackURL: String) {
        self.sendURL = sendURL
        self.username = username
        self.callbackURL = callbackURL
    }
}
