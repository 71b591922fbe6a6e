import Foundation
import KioskDomain

/// Everything a district edits without a rebuild, read from `kiosk-config/`:
/// identity, catalog, assessment and every resident-facing text.
public struct KioskConfiguration: Sendable {
    public var identity: KioskIdentity
    public var centre: Centre
    public var hotlines: [Hotline]
    public var areas: [Area]
    public var session: SessionSettings
    public var retention: RetentionPolicy
    public var credentials: CredentialNames
    public var receipt: ReceiptSettings
    public var printer: PrinterSettings
    public var forwarder: ForwarderSettings
    public var display: DisplaySettings
    public var catalog: Catalog
    public var assessment: Assessment
    public var texts: ScreenTexts

    /// Street code → its community codes, as validation wants them.
    public var communitiesByStreet: [String: Set<String>] {
        Dictionary(uniqueKeysWithValues: areas.map { ($0.code, Set($0.communities.map(\.code))) })
    }

    public func validationContext(now: Date) -> ValidationContext {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = identity.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        return ValidationContext(catalog: catalog, assessment: assessment, communities: communitiesByStreet,
                                 today: (parts.year!, parts.month!, parts.day!))
    }
}

/// Where this kiosk stands, and the code its receipt numbers start with.
public struct KioskIdentity: Sendable {
    public var kioskCode: String
    public var districtCode: String
    public var districtName: LocalizedText
    public var streetCode: String
    public var communityCode: String
    /// The kiosk's local time zone: receipt numbers carry the local date.
    public var timeZone: TimeZone
}

/// The community affairs acceptance centre this kiosk sends requests to.
public struct Centre: Sendable {
    public var name: LocalizedText
    /// For the screen's header, where the full name may not fit (English names run long).
    public var shortName: LocalizedText?
    public var address: LocalizedText
    public var hours: LocalizedText
}

/// A number shown on the emergency screen and on every receipt.
public struct Hotline: Sendable, Hashable {
    public var id: String
    public var number: String
    public var label: LocalizedText
    /// The district's social-assistance line: listed first, and the number a
    /// receipt gives for "nobody called".
    public var isAssistance = false
}

extension KioskConfiguration {
    /// The number a resident calls about their request: the assistance line, else the first.
    public var assistanceHotline: Hotline { hotlines.first { $0.isAssistance } ?? hotlines[0] }
}

/// A street (街道) the kiosk serves and its communities (社区 / 居民区).
public struct Area: Sendable, Hashable {
    public struct Community: Sendable, Hashable {
        public var code: String
        public var name: LocalizedText
    }

    public var code: String
    public var name: LocalizedText
    public var communities: [Community]
}

/// Timing of a resident's session on the screen.
public struct SessionSettings: Sendable, Hashable {
    /// With no key pressed for this long, the half-entered request is wiped.
    public var idleTimeout: Duration
    /// The last part of the idle timeout shows a visible countdown.
    public var countdown: Duration
    /// How long the receipt screen stays before welcome returns.
    public var receiptScreen: Duration
}

/// How long applicant data stays after the centre acknowledged it.
public struct RetentionPolicy: Sendable, Hashable {
    public var purgeAfterDays: Int
}

/// Names of credential files, looked up in `$CREDENTIALS_DIRECTORY` (systemd
/// `LoadCredential=`) or the state folder's `credentials/`; an absolute path
/// is used as it is.
public struct CredentialNames: Sendable, Hashable {
    /// The symmetric key versions before this one sealed requests with; only
    /// `kioskctl credentials reseal` reads it, once, to move them to the centre's key.
    public var legacySealKey: String
    public var receiptKey: String
    public var centreSecret: String
    /// The centre's intake public key (`x25519:…`): what the front seals to.
    public var centrePublicKey: String

    public init(legacySealKey: String = "seal.key", receiptKey: String, centreSecret: String,
                centrePublicKey: String = "centre-public.key") {
        self.legacySealKey = legacySealKey
        self.receiptKey = receiptKey
        self.centreSecret = centreSecret
        self.centrePublicKey = centrePublicKey
    }
}

/// How the forwarder reaches the centre.
public struct ForwarderSettings: Sendable, Hashable {
    public var centreURL: URL
    public var concurrency: Int
    /// Requests sent together in one POST (1: one at a time, as centres
    /// before batches take them).
    public var batchSize: Int = ForwarderSettings.standardBatchSize
    public var timeout: Duration
    public var backoffInitial: Duration
    public var backoffMax: Duration
    public var heartbeatInterval: Duration
    /// PEM file of trusted CAs; nil: the system's.
    public var caBundle: String?
    public var allowsPlainHTTP: Bool

    public static let standardBatchSize = 32
    /// As many as the centre takes in one batch.
    public static let batchSizes = 1...64
}

/// How receipts look.
public struct ReceiptSettings: Sendable, Hashable {
    /// 58 or 80 mm.
    public var rollWidthMillimetres: Int
    /// A fontconfig family with CJK glyphs.
    public var fontFamily: String
    /// QR error-correction level: "L", "M", "Q" or "H".
    public var qrErrorCorrection: String
    /// Put before the token in the QR code; may be empty.
    public var urlPrefix: String
    public var printsCentreCopy: Bool
}

/// The resident's screen in the kiosk compositor (`kioskd display`): the
/// terminal's font, chosen through fontconfig, and its size.
public struct DisplaySettings: Sendable, Hashable {
    /// A fontconfig pattern that resolves to a monospaced font with Chinese glyphs.
    public var font: String
    /// Points at 96 dpi: 24 gives about 100 columns and 27 rows on a 1920×1080 screen.
    public var fontSize: Int

    /// What a kiosk.yaml without a `display` section gets.
    public static let standard = DisplaySettings(font: "monospace:lang=zh-cn", fontSize: 24)
    public static let fontSizes = 12...72

    public init(font: String, fontSize: Int) {
        self.font = font
        self.fontSize = fontSize
    }
}

/// Where receipts are printed.
public struct PrinterSettings: Sendable, Hashable {
    public var queue: String
    /// A job not done within this time is cancelled and recorded as not printed.
    public var jobTimeout: Duration
}
