import Foundation
import TestSupport
import Testing

/// `make install` and `make deb`, with the binaries this test run built.
@Suite struct PackagingTests {
    func make(_ arguments: [String]) throws -> RunResult {
        try runToEnd(["/usr/bin/make", "-s", "-C", repositoryRoot.path, "BIN=\(productsDirectory().path)"] + arguments)
    }

    func mode(_ path: URL) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path.path)[.posixPermissions] as? Int ?? -1
    }

    @Test func installPlacesEverythingInItsFHSPlace() throws {
        let root = try temporaryFolder("destdir")
        let result = try make(["install", "DESTDIR=\(root.path)"])
        #expect(result.status == 0, "\(result.stderr)")
        for program in ["kioskd", "kioskctl", "kiosk-center"] {
            #expect(try mode(root.appendingPathComponent("usr/bin/\(program)")) == 0o755, "\(program)")
        }
        for file in ["usr/lib/systemd/system/kiosk-front.service", "usr/lib/systemd/system/kiosk-forwarder.service",
                     "usr/lib/systemd/system/kiosk-center.service", "usr/lib/systemd/system/kiosk-migrate.service",
                     "usr/lib/systemd/system/kiosk-purge.timer", "usr/lib/sysusers.d/kiosk.conf",
                     "usr/lib/tmpfiles.d/kiosk.conf", "etc/kiosk/kiosk.yaml", "etc/kiosk/catalog.yaml",
                     "etc/kiosk/assessment.yaml", "etc/kiosk/texts.yaml", "usr/share/kiosk/assets/receipt-layout.yaml",
                     "usr/share/doc/kiosk/README.md", "usr/share/doc/kiosk/intake-api.yaml",
                     "etc/kiosk-center/center.yaml", "etc/kiosk-center/partners.yaml", "etc/kiosk-center/catalog.yaml",
                     "etc/kiosk-center/assessment.yaml", "usr/share/kiosk/assets/console/inbox.mustache",
                     "usr/share/kiosk/assets/console/console.css", "usr/lib/systemd/system/kiosk-display.service",
                     "etc/kiosk/foot.ini", "etc/pam.d/kiosk-display", "usr/lib/sysctl.d/60-kiosk-lockdown.conf",
                     "usr/lib/systemd/logind.conf.d/60-kiosk-lockdown.conf",
                     "usr/lib/systemd/system.conf.d/60-kiosk-lockdown.conf"] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(file).path), "\(file)")
        }
        #expect(try mode(root.appendingPathComponent("etc/kiosk/credentials")) == 0o700)

        // The installed programs read the installed configuration, and keys
        // go to the root-only folder beside it.
        let environment = ["KIOSK_CONFIG": root.appendingPathComponent("etc/kiosk").path,
                           "KIOSK_STATE": root.appendingPathComponent("var/lib/kiosk").path]
        let check = try runToEnd([root.appendingPathComponent("usr/bin/kioskctl").path, "config", "check"],
                                 environment: environment)
        #expect(check.status == 0 && check.stdout.contains("configuration OK"), "\(check.stderr)")
        let keys = try runToEnd([root.appendingPathComponent("usr/bin/kioskctl").path, "credentials", "init"],
                                environment: environment)
        #expect(keys.status == 0, "\(keys.stderr)")
        let receiptKey = root.appendingPathComponent("etc/kiosk/credentials/receipt.key")
        #expect(try mode(receiptKey) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("etc/kiosk/credentials/seal.key").path),
                "a kiosk holds no key that opens what it stores")
        #expect(keys.stdout.contains("centre-public.key: missing"), "says what is still to do: \(keys.stdout)")

        // The centre: its commands at the shell use the seal key beside its
        // configuration (the one the unit loads), and none creates it by the way.
        let centre = root.appendingPathComponent("usr/bin/kiosk-center").path
        let centreEnvironment = ["KIOSK_CENTER_CONFIG": root.appendingPathComponent("etc/kiosk-center").path,
                                 "KIOSK_CENTER_STATE": root.appendingPathComponent("var/lib/kiosk-center").path,
                                 "KIOSK_ASSETS": root.appendingPathComponent("usr/share/kiosk/assets").path]
        let centreCheck = try runToEnd([centre, "config", "check"], environment: centreEnvironment)
        #expect(centreCheck.status == 0 && centreCheck.stdout.contains("configuration OK"), "\(centreCheck.stdout)")
        let withoutKey = try runToEnd([centre, "kiosk", "add", "JA0301"], environment: centreEnvironment)
        #expect(withoutKey.status != 0 && withoutKey.stderr.contains("kiosk-center credentials init"))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("var/lib/kiosk-center/credentials").path))
        let centreKey = try runToEnd([centre, "credentials", "init"], environment: centreEnvironment)
        #expect(centreKey.stdout.contains(root.appendingPathComponent("etc/kiosk-center/credentials/center-seal.key").path))
        #expect(try mode(root.appendingPathComponent("etc/kiosk-center/credentials/center-intake.key")) == 0o600)
        // What `kiosk add` prints, pasted at the kiosk: its secret and the centre's public key.
        let added = try runToEnd([centre, "kiosk", "add", "JA0301"], environment: centreEnvironment)
        #expect(added.status == 0 && added.stdout.split(separator: "\n").count == 2, "\(added.stdout)")
        let enrolled = try runToEnd([root.appendingPathComponent("usr/bin/kioskctl").path, "credentials", "centre-secret"],
                                    environment: environment, input: added.stdout)
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        let publicKey = root.appendingPathComponent("etc/kiosk/credentials/centre-public.key")
        #expect(try mode(publicKey) == 0o644)
        let printed = try runToEnd([centre, "credentials", "public-key"], environment: centreEnvironment)
        #expect(try String(contentsOf: publicKey, encoding: .utf8) == printed.stdout)
    }

    @Test func debInstallsTheFilesAndCreatesTheUser() throws {
        let folder = try temporaryFolder("deb")
        let deb = folder.appendingPathComponent("kiosk.deb")
        let result = try make(["deb", "DEBROOT=\(folder.appendingPathComponent("root").path)", "DEB=\(deb.path)",
                                 "DEB_FLAGS=-Znone"])
        #expect(result.status == 0, "\(result.stderr)")

        let info = try runToEnd(["/usr/bin/dpkg-deb", "--info", deb.path])
        #expect(info.stdout.contains("Package: kiosk"))
        let depends = try runToEnd(["/usr/bin/dpkg-deb", "--field", deb.path, "Depends"]).stdout
        for library in ["libsqlite3-0", "libqrencode4", "libcups2", "libpangocairo-1.0-0", "libstdc++6",
                        "cage", "foot", "xwayland", "libpam-systemd"] {
            #expect(depends.contains(library), "\(library)")
        }
        #expect(info.stdout.contains("postinst") && info.stdout.contains("conffiles"))
        let contents = try runToEnd(["/usr/bin/dpkg-deb", "--contents", deb.path]).stdout
        for path in ["./usr/bin/kioskd", "./usr/bin/kioskctl", "./usr/bin/kiosk-center", "./etc/kiosk/kiosk.yaml",
                     "./usr/lib/systemd/system/kiosk-front.service", "./usr/lib/sysusers.d/kiosk.conf"] {
            #expect(contents.contains(path), "\(path)")
        }
        #expect(!contents.contains("./var/lib/kiosk/"), "state is made on the kiosk, never shipped")
        #expect(contents.split(separator: "\n").allSatisfy { $0.contains("root/root") }, "files owned by root")
        let control = folder.appendingPathComponent("control")
        #expect(try runToEnd(["/usr/bin/dpkg-deb", "--control", deb.path, control.path]).status == 0)
        let listed = try String(contentsOf: control.appendingPathComponent("conffiles"), encoding: .utf8)
        #expect(listed.contains("/etc/kiosk/kiosk.yaml"), "a technician's edits survive upgrades")
        #expect(listed.contains("/etc/kiosk/foot.ini") && listed.contains("/etc/pam.d/kiosk-display"))

        // The maintainer script's user and folders, in an image root.
        let image = folder.appendingPathComponent("image")
        #expect(try runToEnd(["/usr/bin/dpkg-deb", "-x", deb.path, image.path]).status == 0)
        let postinst = try String(contentsOf: control.appendingPathComponent("postinst"), encoding: .utf8)
        #expect(postinst.contains("systemd-sysusers /usr/lib/sysusers.d/kiosk.conf"))
        #expect(try runToEnd(["/usr/bin/systemd-sysusers", "--root=\(image.path)",
                              image.appendingPathComponent("usr/lib/sysusers.d/kiosk.conf").path]).status == 0)
        let passwd = try String(contentsOf: image.appendingPathComponent("etc/passwd"), encoding: .utf8)
        #expect(passwd.contains("kiosk:x:"))
    }
}
