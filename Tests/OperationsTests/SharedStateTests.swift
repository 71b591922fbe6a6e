import Foundation
import IntakeProtocol
import KioskConfig
import KioskDomain
import KioskStore
import TestSupport
import Testing

/// The front's user and the forwarder's are different (kiosk-forwarder.service
/// runs as kiosk-forwarder): they share the state folder and the database
/// through the kiosk group, as the units set them up. Two throwaway users
/// and a group stand in for them.
@Suite(.serialized) struct SharedStateTests {
    static let group = "kiosk-share-lab"
    static let frontUser = "kiosk-front-lab"
    static let forwarderUser = "kiosk-fwd-lab"

    @Test(.enabled(if: getuid() == 0, "creates users: runs as root, as CI does"))
    func theForwardersUserWritesTheDatabaseTheFrontsUserMade() throws {
        _ = try runToEnd(["/usr/sbin/groupadd", "-f", Self.group])
        for user in [Self.frontUser, Self.forwarderUser] where try runToEnd(["/usr/bin/id", user]).status != 0 {
            let made = try runToEnd(["/usr/sbin/useradd", "--system", "--no-create-home", "--gid", Self.group,
                                     "--shell", "/usr/sbin/nologin", user])
            #expect(made.status == 0, "\(made.stderr)")
        }
        // What the package lays out: programs and configuration anyone may read, the state folder kiosk's,
        // shared with the group (tmpfiles: 0770), each role's key files its own (LoadCredential= under systemd).
        let root = try temporaryFolder("shared-state")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root.path)
        let bin = root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: productsDirectory().appendingPathComponent("kioskd"),
                                         to: bin.appendingPathComponent("kioskd"))
        let config = root.appendingPathComponent("config")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("kiosk-config"), to: config)
        let kiosk = config.appendingPathComponent("kiosk.yaml")
        try (try String(contentsOf: kiosk, encoding: .utf8))
            .replacingOccurrences(of: "centre_url: http://127.0.0.1:8740", with: "centre_url: http://127.0.0.1:9")
            .replacingOccurrences(of: "timeout_seconds: 10", with: "timeout_seconds: 1")
            .write(to: kiosk, atomically: true, encoding: .utf8)
        _ = try runToEnd(["/bin/chmod", "-R", "a+rX", root.path])
        let state = root.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let forwarderKeys = root.appendingPathComponent("forwarder-credentials")
        try FileManager.default.createDirectory(at: forwarderKeys, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try writeSecret(String(repeating: "ab", count: 32) + "\n", to: forwarderKeys.appendingPathComponent("centre.key"))

        // Two requests waiting, in a database the front's user owns.
        let configuration = try ConfigurationLoader.load(from: config)
        do {
            let store = try KioskStore(path: state.appendingPathComponent("kiosk.sqlite").path,
                                       centreKey: try CentrePrivateKey(rawBytes: CentrePrivateKey.generate()).publicKey,
                                       issuer: ReceiptIssuer(kioskCode: configuration.identity.kioskCode,
                                                             timeZone: configuration.identity.timeZone))
            for index in 0..<2 {
                let answers = configuration.assessment.questions.map { AssessmentAnswer(questionID: $0.id, optionID: $0.options[0].id) }
                let draft = SubmissionDraft(
                    language: .chinese, programmeID: "elderly-wellbeing", serviceID: "meal-assistance", answers: answers,
                    name: "居民\(index)", phone: "1391234567\(index)", residentID: "", street: "nanjing-west",
                    community: "wuding", addressDetail: "", householdSize: 1, description: "",
                    consentVersion: configuration.texts.consent.version, consentedAt: Date())
                _ = try store.submit(try draft.validate(in: configuration.validationContext(now: Date())))
            }
            _ = try store.writerPragma("wal_checkpoint(TRUNCATE)")
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: state.path) where file != "kiosk.sqlite" {
            try FileManager.default.removeItem(at: state.appendingPathComponent(file))
        }
        _ = try runToEnd(["/bin/chown", "-R", "\(Self.frontUser):\(Self.group)", state.path])
        _ = try runToEnd(["/bin/chmod", "0770", state.path])
        _ = try runToEnd(["/bin/chmod", "0600", state.appendingPathComponent("kiosk.sqlite").path])
        _ = try runToEnd(["/bin/chown", "-R", "\(Self.forwarderUser):\(Self.group)", forwarderKeys.path])

        /// kioskd as `user` with the units' umask.
        func kioskd(as user: String, _ arguments: [String]) -> [String] {
            ["/usr/sbin/runuser", "-u", user, "--", "/bin/sh", "-c", "umask 0007; exec \"$0\" \"$@\"",
             bin.appendingPathComponent("kioskd").path] + arguments + ["--config", config.path, "--state", state.path]
        }
        // kiosk-migrate.service, as the front's user: opens the files to the group.
        let migrate = try runToEnd(kioskd(as: Self.frontUser, ["migrate"]))
        #expect(migrate.status == 0, "\(migrate.stderr)")
        // kiosk-forwarder.service, as its own user: claims, fails to reach the centre, reschedules.
        let forwarder = try Subprocess(kioskd(as: Self.forwarderUser, ["forwarder", "--credentials", forwarderKeys.path]),
                                       output: root.appendingPathComponent("forwarder.log"))
        let reader = try KioskStore(path: state.appendingPathComponent("kiosk.sqlite").path, centreKey: nil,
                                    issuer: ReceiptIssuer(kioskCode: configuration.identity.kioskCode,
                                                          timeZone: configuration.identity.timeZone), check: .none)
        #expect(try eventually(timeout: 20) {
            try reader.records(in: .queued).allSatisfy { $0.attempts > 0 && $0.lastError?.contains("cannot reach") == true }
        }, "the forwarder's user wrote the front's database: \(forwarder.errorText)")
        forwarder.signal(SIGTERM)
        forwarder.wait()
        #expect(!forwarder.errorText.contains("readonly"), "\(forwarder.errorText)")
        // And the front's user still writes after the forwarder's files appeared.
        let again = try runToEnd(kioskd(as: Self.frontUser, ["migrate"]))
        #expect(again.status == 0, "\(again.stderr)")
    }
}
