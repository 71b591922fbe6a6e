import Foundation
import TestSupport
import Testing

/// Sign-in against the real `kiosk-center serve`: bcrypt runs on threads of
/// its own behind limits, so a flood of sign-ins does not stall the kiosks'
/// intake; a stranger's wrong passwords neither lock the member of staff out
/// nor learn the account's state (Tests/Browser/signin_flood.py attacks).
@Suite(.serialized) struct SignInFloodTests {
    struct Attempt: Decodable {
        var status: Int
        var words: String
        var retryAfter: String?

        init(from decoder: any Decoder) throws {
            var list = try decoder.unkeyedContainer()
            status = try list.decode(Int.self)
            words = try list.decode(String.self)
            retryAfter = try list.decodeIfPresent(String.self)
        }
    }

    struct KioskResult: Decodable {
        var ok: Bool
        var error: String?
    }

    struct Run: Decodable {
        var stranger: [Attempt]
        var owner: Attempt
        var flood: [Int]
        var kiosk: [KioskResult]
    }

    @Test func aSignInFloodNeitherStallsIntakeNorLocksOutStaff() throws {
        let centre = try CenterProcess(state: try temporaryFolder("centre-signin"))
        let secret = try centre.addKiosk("JA0301")
        let password = "the supervisor's long password"
        try centre.addStaff("zhao.super", role: "supervisor", password: password)
        let run = try runToEnd(["/usr/bin/python3", repositoryRoot.appendingPathComponent("Tests/Browser/signin_flood.py").path,
                                String(centre.consolePort), String(centre.port), secret, "JA0301", "zhao.super", password])
        let parsed = try JSONDecoder().decode(Run.self, from: Data(run.stdout.utf8))

        // Six wrong passwords (five lock the account): the same words and status every time.
        #expect(parsed.stranger.allSatisfy { $0.status == 401 && $0.words == "用户名或密码不正确。" },
                "\(parsed.stranger.map { "\($0.status) \($0.words)" })")
        #expect(parsed.owner.status == 303, "the right password from another address signs in: \(parsed.owner.status) \(parsed.owner.words)")

        // The flood is held back in words, with a time to wait.
        let heldBack = parsed.flood.filter { $0 == 429 || $0 == 503 }.count
        #expect(heldBack > 0, "\(parsed.flood)")
        #expect(parsed.flood.allSatisfy { [401, 429, 503].contains($0) }, "\(parsed.flood)")
        // Every kiosk request answered within its 5-second timeout while the flood ran.
        #expect(parsed.kiosk.count == 20 && parsed.kiosk.allSatisfy(\.ok), "\(run.stdout.suffix(1500))\(run.stderr)")
    }
}
