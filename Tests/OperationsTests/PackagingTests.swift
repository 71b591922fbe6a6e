import Foundation
import TestSupport
import Testing

/// `make install`, `make deb` and lintian, with the programs `scripts/test`
/// built with the Swift runtime linked in (KIOSK_STATIC_BIN), as a kiosk
/// runs them: the test run's own debug programs need the toolchain and are
/// refused.
@Suite struct PackagingTests {
    static let staticBin = ProcessInfo.processInfo.environment["KIOSK_STATIC_BIN"]

    func make(_ arguments: [String], bin: String? = nil) throws -> RunResult {
        let programs = try bin ?? #require(Self.staticBin, "scripts/test builds the static programs and names them in KIOSK_STATIC_BIN")
        return try runToEnd(["/usr/bin/make", "-s", "-C", repositoryRoot.path, "BIN=\(programs)"] + arguments)
    }

    @Test func programsThatNeedTheSwiftToolchainAreRefused() throws {
        let result = try make(["deb", "DEBROOT=\(try temporaryFolder("refused").path)"], bin: productsDirectory().path)
        #expect(result.status != 0)
        #expect(result.stderr.contains("links the Swift runtime dynamically or carries a RUNPATH"), "\(result.stderr)")
        #expect(result.stderr.contains("--static-swift-stdlib"))
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
                     "usr/share/doc/kiosk/README.md", "usr/share/doc/kiosk-center/README.md",
                     "etc/kiosk-center/center.yaml", "etc/kiosk-center/partners.yaml", "etc/kiosk-center/catalog.yaml",
                     "etc/kiosk-center/assessment.yaml", "usr/share/kiosk/assets/console/inbox.mustache",
                     "usr/share/kiosk/assets/console/console.css", "usr/lib/systemd/system/kiosk-display.service",
                     "etc/kiosk/foot.ini", "usr/lib/sysctl.d/60-kiosk-lockdown.conf",
                     "usr/lib/systemd/logind.conf.d/60-kiosk-lockdown.conf",
                     "usr/lib/systemd/system.conf.d/60-kiosk-lockdown.conf",
                     "usr/lib/systemd/system/kiosk-metrics.service", "usr/lib/systemd/system/kiosk-metrics.timer",
                     "usr/share/man/man8/kioskd.8.gz", "usr/share/man/man8/kioskctl.8.gz",
                     "usr/share/man/man8/kiosk-center.8.gz", "usr/share/bash-completion/completions/kioskctl",
                     "usr/share/zsh/vendor-completions/_kiosk-center", "usr/share/fish/vendor_completions.d/kioskd.fish",
                     "usr/share/doc/kiosk/copyright", "usr/share/doc/kiosk-center/copyright",
                     "usr/share/doc/kiosk/changelog.gz", "usr/share/doc/kiosk-center/intake-api.yaml",
                     "usr/lib/tmpfiles.d/kiosk-center.conf"] {
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

    /// Two packages: a kiosk gets no centre and the centre no kiosk roles.
    /// Depends come from dpkg-shlibdeps, units go through deb-systemd-helper,
    /// and lintian finds no error in either.
    @Test func debBuildsTwoPackagesLintianFindsNoErrorOrWarning() throws {
        let folder = try temporaryFolder("deb")
        defer { try? FileManager.default.removeItem(at: folder) }  // two packages and their tree: 700 MB a run
        let result = try make(["deb", "DEBROOT=\(folder.appendingPathComponent("root").path)", "DEBDIR=\(folder.path)",
                                 "DEB_FLAGS=-Zgzip -z1"])
        #expect(result.status == 0, "\(result.stderr)")
        let debs = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".deb") }.sorted()
        let kiosk = folder.appendingPathComponent(try #require(debs.first { $0.hasPrefix("kiosk_") }, "\(debs)"))
        let centre = folder.appendingPathComponent(try #require(debs.first { $0.hasPrefix("kiosk-center_") }, "\(debs)"))

        func field(_ deb: URL, _ name: String) throws -> String {
            try runToEnd(["/usr/bin/dpkg-deb", "--field", deb.path, name]).stdout
        }
        func contents(_ deb: URL) throws -> String { try runToEnd(["/usr/bin/dpkg-deb", "--contents", deb.path]).stdout }

        // The kiosk: its roles, units and user; not the centre.
        #expect(try field(kiosk, "Package") == "kiosk\n")
        let kioskDepends = try field(kiosk, "Depends")
        for library in ["libsqlite3-0", "libqrencode4", "libcups2", "libpangocairo-1.0-0", "libc6 (>=", "libyaml-0-2",
                        "cage", "foot", "xwayland", "seatd"] {
            #expect(kioskDepends.contains(library), "\(library) in \(kioskDepends)")
        }
        #expect(!kioskDepends.contains("\n "), "one line")
        let kioskFiles = try contents(kiosk)
        for path in ["./usr/bin/kioskd", "./usr/bin/kioskctl", "./etc/kiosk/kiosk.yaml", "./usr/share/man/man8/kioskctl.8.gz",
                     "./usr/lib/systemd/system/kiosk-front.service", "./usr/lib/sysusers.d/kiosk.conf",
                     "./usr/share/doc/kiosk/copyright", "./usr/share/bash-completion/completions/kioskctl"] {
            #expect(kioskFiles.contains(path), "\(path)")
        }
        for path in ["./usr/bin/kiosk-center", "kiosk-center.service", "./etc/kiosk-center/", "assets/console/"] {
            #expect(!kioskFiles.contains(path), "a kiosk does not get \(path)")
        }
        #expect(!kioskFiles.contains("./var/lib/kiosk/"), "state is made on the kiosk, never shipped")
        #expect(kioskFiles.split(separator: "\n").allSatisfy { $0.contains("root/root") }, "files owned by root")

        // The centre: its service and console; none of the kiosk's roles.
        #expect(try field(centre, "Package") == "kiosk-center\n")
        #expect(try field(centre, "Depends").contains("libc6") && field(centre, "Depends").contains("libyaml-0-2"))
        #expect(try field(centre, "Depends").contains("libcups2") && field(centre, "Depends").contains("fonts-wqy-microhei"),
                "the centre prints referral slips (CUPS) in Chinese")
        let centreFiles = try contents(centre)
        for path in ["./usr/bin/kiosk-center", "./usr/lib/systemd/system/kiosk-center.service", "./etc/kiosk-center/center.yaml",
                     "./usr/share/kiosk/assets/console/inbox.mustache", "./usr/share/man/man8/kiosk-center.8.gz",
                     "./usr/share/doc/kiosk-center/intake-api.yaml", "./usr/share/doc/kiosk-center/alerts.yaml",
                     "./usr/share/doc/kiosk-center/partner-api.yaml", "./usr/share/kiosk/assets/console/referral.mustache",
                     "./usr/share/kiosk/assets/console/fleet.mustache"] {
            #expect(centreFiles.contains(path), "\(path)")
        }
        for path in ["./usr/bin/kioskd", "./usr/bin/kioskctl", "kiosk-front.service", "./etc/kiosk/", "sysusers.d"] {
            #expect(!centreFiles.contains(path), "the centre does not get \(path)")
        }

        // Maintainer scripts through deb-systemd-helper; conffiles kept.
        let control = folder.appendingPathComponent("control")
        #expect(try runToEnd(["/usr/bin/dpkg-deb", "--control", kiosk.path, control.path]).status == 0)
        let postinst = try String(contentsOf: control.appendingPathComponent("postinst"), encoding: .utf8)
        #expect(postinst.contains("systemd-sysusers /usr/lib/sysusers.d/kiosk.conf"))
        #expect(postinst.contains("deb-systemd-helper") && postinst.contains("deb-systemd-invoke"))
        #expect(!postinst.contains("systemctl try-restart") && !postinst.contains("systemctl enable"))
        let listed = try String(contentsOf: control.appendingPathComponent("conffiles"), encoding: .utf8)
        #expect(listed.contains("/etc/kiosk/kiosk.yaml"), "a technician's edits survive upgrades")
        #expect(listed.contains("/etc/kiosk/foot.ini") && !listed.contains("/etc/pam.d/kiosk-display"))

        // The maintainer script's user and folders, in an image root.
        let image = folder.appendingPathComponent("image")
        #expect(try runToEnd(["/usr/bin/dpkg-deb", "-x", kiosk.path, image.path]).status == 0)
        #expect(try runToEnd(["/usr/bin/systemd-sysusers", "--root=\(image.path)",
                              image.appendingPathComponent("usr/lib/sysusers.d/kiosk.conf").path]).status == 0)
        let passwd = try String(contentsOf: image.appendingPathComponent("etc/passwd"), encoding: .utf8)
        #expect(passwd.contains("kiosk:x:"))
        // The installed programs carry their runtime: no RUNPATH into a toolchain.
        let dynamic = try runToEnd(["/usr/bin/readelf", "-d", image.appendingPathComponent("usr/bin/kioskd").path]).stdout
        #expect(!dynamic.contains("libswiftCore") && !dynamic.contains("RUNPATH"), "\(dynamic)")

        // lintian: no error and no warning on either package (overrides only
        // with a reason, in the package: the root-only credentials folders).
        let lintian = try runToEnd(["/usr/bin/lintian", "--fail-on", "error,warning", kiosk.path, centre.path])
        #expect(lintian.status == 0, "\(lintian.stdout)\(lintian.stderr)")
        #expect(!lintian.stdout.contains("E: "), "\(lintian.stdout)")
        #expect(!lintian.stdout.contains("W: "), "no warning either (the credentials folders' override applies)")
    }
}
