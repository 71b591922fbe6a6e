import Foundation
import IntakeProtocol
import Testing

/// The USB bundle: every byte of the header is authenticated, and it expires.
@Suite struct OfflineBundleTests {
    let secret = Array(repeating: UInt8(9), count: 32)
    let bodies = [Data(#"{"a":1}"#.utf8), Data(#"{"b":2}"#.utf8)]
    let made = Date(timeIntervalSince1970: 1_764_000_000)

    @Test func aBundleOpensWithTheKiosksSecretBeforeItExpires() throws {
        let bundle = try OfflineBundle.seal(bodies: bodies, kioskCode: "JA0301", secret: secret, now: made)
        #expect(try bundle.open(secret: secret, now: made.addingTimeInterval(86_400)) == bodies)
        #expect(bundle.expiresAt == made.addingTimeInterval(OfflineBundle.validity))
    }

    @Test func anyChangeToTheHeaderIsRefused() throws {
        let bundle = try OfflineBundle.seal(bodies: bodies, kioskCode: "JA0301", secret: secret, now: made)
        let changes: [(String, (inout OfflineBundle) -> Void)] = [
            ("createdAt", { $0.createdAt = $0.createdAt.addingTimeInterval(-86_400) }),
            ("expiresAt", { $0.expiresAt = $0.expiresAt.addingTimeInterval(365 * 86_400) }),
            ("count", { $0.count = 1 }),
            ("kioskCode", { $0.kioskCode = "JA0302" }),
        ]
        for (field, change) in changes {
            var altered = bundle
            change(&altered)
            #expect(throws: OfflineBundle.OpenError.self, "\(field)") { try altered.open(secret: secret, now: made) }
        }
    }

    @Test func anExpiredOrOldFormatBundleIsRefusedSayingWhy() throws {
        let bundle = try OfflineBundle.seal(bodies: bodies, kioskCode: "JA0301", secret: secret, now: made)
        #expect { try bundle.open(secret: secret, now: bundle.expiresAt.addingTimeInterval(1)) } throws: {
            "\($0)".contains("expired")
        }
        var old = bundle
        old.format = "kiosk-export-v1"
        #expect { try old.open(secret: secret, now: made) } throws: { "\($0)".contains("export it again") }
    }
}
