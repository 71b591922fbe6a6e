import Foundation
import KioskConfig
import TestSupport
import Testing

/// The units in `systemd/`, checked with systemd's own tools.
@Suite struct SystemdUnitTests {
    static let folder = repositoryRoot.appendingPathComponent("systemd")
    static let services = ["kiosk-front.service", "kiosk-display.service", "kiosk-forwarder.service",
                           "kiosk-center.service", "kiosk-migrate.service", "kiosk-purge.service",
                           "kiosk-metrics.service"]

    func unit(_ name: String) throws -> String {
        try String(contentsOf: Self.folder.appendingPathComponent(name), encoding: .utf8)
    }

    /// `Key=value` lines of a unit, in order (a key may repeat).
    func settings(_ name: String) throws -> [(key: String, value: String)] {
        try unit(name).split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), !line.hasPrefix("["), let equals = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<equals]), String(line[line.index(after: equals)...]))
        }
    }

    func value(_ key: String, in name: String) throws -> String? {
        try settings(name).last { $0.key == key }?.value
    }

    @Test func everyUnitPassesSystemdAnalyzeVerifyWithoutAWarning() throws {
        // verify wants the ExecStart= programs to exist: point them at this build.
        let copies = try temporaryFolder("units")
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
            .filter { $0.hasSuffix(".service") || $0.hasSuffix(".timer") }.sorted()
        #expect(Set(Self.services).isSubset(of: Set(names)))
        for name in names {
            try (try unit(name)).replacingOccurrences(of: "/usr/bin/", with: productsDirectory().path + "/")
                .write(to: copies.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let result = try runToEnd(["/usr/bin/systemd-analyze", "verify", "--man=no"]
            + names.map { copies.appendingPathComponent($0).path })
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty && result.stdout.isEmpty, "warnings: \(result.stderr)\(result.stdout)")
    }

    @Test(arguments: services)
    func eachServiceScoresAtMostTwoInSystemdAnalyzeSecurity(name: String) throws {
        let result = try runToEnd(["/usr/bin/systemd-analyze", "security", "--offline=yes", "--no-pager",
                                   Self.folder.appendingPathComponent(name).path])
        let line = try #require(result.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") },
                                "\(result.stderr)")
        // "→ Overall exposure level for NAME: 1.4 OK :-)"
        let after = line.split(separator: "\(name): ", maxSplits: 1).last ?? ""
        let score = try #require(Double(after.prefix { $0.isNumber || $0 == "." }), "\(line)")
        #expect(score <= 2.0, "\(name) scores \(score)")
    }

    /// `journalctl -t kioskd-forwarder` shows the forwarder alone: every
    /// service logs under a name of its own (the front and forwarder shared one).
    @Test func eachServiceLogsUnderItsOwnSyslogIdentifier() throws {
        let identifiers = try Self.services.map { try value("SyslogIdentifier", in: $0) }
        #expect(identifiers.allSatisfy { $0 != nil }, "\(identifiers)")
        #expect(Set(identifiers).count == Self.services.count, "\(identifiers)")
        #expect(try value("SyslogIdentifier", in: "kiosk-forwarder.service") == "kioskd-forwarder")
    }

    @Test func theFrontOwnsTheConsoleAndHasNoNetwork() throws {
        let front = "kiosk-front.service"
        for (key, expected) in [("TTYPath", "/dev/tty1"), ("StandardInput", "tty"), ("TTYReset", "yes"),
                                ("TTYVHangup", "yes"), ("TTYVTDisallocate", "yes"), ("Conflicts", "getty@tty1.service kiosk-display.service"),
                                ("PrivateNetwork", "yes"), ("IPAddressDeny", "any"), ("RestrictAddressFamilies", "AF_UNIX"),
                                ("DeviceAllow", "/dev/tty1 rw")] {
            #expect(try value(key, in: front) == expected, "\(key)")
        }
        #expect(try settings(front).contains { $0.key == "Environment" && $0.value.contains("CUPS_SERVER=/run/cups/cups.sock") },
                "CUPS through its unix socket")
        #expect(try value("TTYPath", in: "kiosk-forwarder.service") == nil, "the forwarder has no terminal")
        #expect(try value("PrivateNetwork", in: "kiosk-forwarder.service") == nil)
    }

    /// Not a logind session: pam_systemd would move cage, foot and the front into a
    /// session scope, where systemd ignores their READY and watchdog pings (a booted
    /// Debian 12 showed it). The seat comes from seatd; everything stays in the unit.
    @Test func theDisplayRunsCageOnSeatdsSeatInItsOwnCgroupWithoutIP() throws {
        let display = "kiosk-display.service"
        for (key, expected) in [("ExecStart", "/usr/bin/kioskd display"), ("PAMName", nil), ("TTYPath", nil),
                                ("SupplementaryGroups", "video"), ("RuntimeDirectory", "kiosk-display"),
                                ("User", "kiosk"), ("IPAddressDeny", "any"), ("LimitCORE", "0"),
                                ("NotifyAccess", "all"), ("MemoryDenyWriteExecute", "yes")] as [(String, String?)] {
            #expect(try value(key, in: display) == expected, "\(key)")
        }
        #expect(try settings(display).contains { $0.key == "Wants" && $0.value.contains("seatd.service") })
        let conflicts = try settings(display).filter { $0.key == "Conflicts" }.flatMap { $0.value.split(separator: " ") }
        #expect(Set(conflicts) == ["getty@tty1.service", "kiosk-front.service"], "the VT is the display's alone")
        #expect(try value("RestrictAddressFamilies", in: display).map { !$0.contains("INET") } == true)
        let environment = try settings(display).filter { $0.key == "Environment" }.map(\.value).joined(separator: " ")
        for variable in ["WLR_RENDERER=pixman", "SWIFT_BACKTRACE=enable=no", "XDG_SESSION_TYPE=wayland",
                         "LIBSEAT_BACKEND=seatd", "XDG_RUNTIME_DIR=/run/kiosk-display"] {
            #expect(environment.contains(variable), "\(variable)")
        }
    }

    @Test func theLockdownTurnsOffSysRqCtrlAltDelSpareVTsAndPowerKeys() throws {
        func file(_ path: String) throws -> String {
            try String(contentsOf: Self.folder.appendingPathComponent(path), encoding: .utf8)
        }
        #expect(try file("sysctl.d/60-kiosk-lockdown.conf").contains("\nkernel.sysrq = 0\n"))
        let logind = try file("logind.conf.d/60-kiosk-lockdown.conf")
        for setting in ["NAutoVTs=0", "ReserveVT=0", "HandlePowerKey=ignore", "HandleRebootKey=ignore",
                        "HandleRebootKeyLongPress=ignore", "HandleSuspendKey=ignore"] {
            #expect(logind.contains("\n\(setting)\n"), "\(setting)")
        }
        #expect(try file("system.conf.d/60-kiosk-lockdown.conf").contains("\nCtrlAltDelBurstAction=none\n"))
        // Every key there is one logind knows (its own commented defaults list them).
        let known = try String(contentsOfFile: "/etc/systemd/logind.conf", encoding: .utf8)
        for line in logind.split(separator: "\n") where !line.hasPrefix("#") && line.contains("=") {
            #expect(known.contains("#\(line.prefix { $0 != "=" })="), "\(line)")
        }
        let postinst = try String(contentsOf: repositoryRoot.appendingPathComponent("packaging/debian/kiosk.postinst"), encoding: .utf8)
        #expect(postinst.contains("ln -s /dev/null /etc/systemd/system/ctrl-alt-del.target"))
    }

    /// Swift's crash handler is interactive on a terminal (it offers a
    /// memory viewer): every service turns it off and keeps no core file.
    @Test(arguments: services)
    func aCrashIsLoggedNeverInteractiveAndLeavesNoCore(name: String) throws {
        #expect(try settings(name).contains { $0.key == "Environment" && $0.value.contains("SWIFT_BACKTRACE=enable=no") },
                "\(name)")
        #expect(try value("LimitCORE", in: name) == "0", "\(name)")
        // @system-service allows process_vm_readv/writev (in @ipc): no service
        // may read or write another process's memory through them.
        #expect(try settings(name).contains { $0.key == "SystemCallFilter" && $0.value == "~process_vm_readv process_vm_writev" },
                "\(name)")
    }

    @Test func longRunningServicesNotifyAreWatchedAndRestart() throws {
        let config = try ConfigurationLoader.load(from: repositoryRoot.appendingPathComponent("kiosk-config"))
        for name in ["kiosk-front.service", "kiosk-forwarder.service", "kiosk-center.service"] {
            #expect(try value("Type", in: name) == "notify", "\(name)")
            #expect(try value("NotifyAccess", in: name) == "main", "\(name)")
            #expect(try value("Restart", in: name) == "always", "\(name)")
            let watchdog = try #require(try value("WatchdogSec", in: name).flatMap { Int($0) }, "\(name)")
            #expect(watchdog >= 10)
        }
        // A forwarder turn may wait out the HTTP timeout twice (heartbeat, batch).
        let forwarderWatchdog = try #require(Int(try value("WatchdogSec", in: "kiosk-forwarder.service") ?? ""))
        #expect(Double(forwarderWatchdog) > 2 * Double(config.forwarder.timeout.components.seconds))
    }

    @Test func credentialsComeThroughLoadCredentialUnderTheConfiguredNames() throws {
        let config = try ConfigurationLoader.load(from: repositoryRoot.appendingPathComponent("kiosk-config"))
        func loaded(_ name: String) throws -> Set<String> {
            Set(try settings(name).filter { $0.key == "LoadCredential" }.map { String($0.value.prefix { $0 != ":" }) })
        }
        // Each unit gets only what it uses, and none a key that opens a stored
        // request: the screen seals to the centre's public key, the forwarder
        // signs with the centre secret, the rest need nothing.
        #expect(try loaded("kiosk-front.service") == [config.credentials.centrePublicKey, config.credentials.receiptKey])
        #expect(try loaded("kiosk-display.service") == [config.credentials.centrePublicKey, config.credentials.receiptKey])
        #expect(try loaded("kiosk-migrate.service").isEmpty)
        #expect(try loaded("kiosk-purge.service").isEmpty)
        #expect(try loaded("kiosk-forwarder.service") == [config.credentials.centreSecret])
        #expect(try loaded("kiosk-center.service") == ["center-seal.key", "center-intake.key"])
        // The forwarder, the one kiosk role on the network, has a user of its own.
        let users = ["kiosk-center.service": nil, "kiosk-forwarder.service": "kiosk-forwarder"]
        for name in Self.services {
            #expect(try value("User", in: name) == (users[name] ?? "kiosk"), "\(name)")
            if name != "kiosk-center.service" {
                #expect(try value("Group", in: name) == "kiosk" && value("UMask", in: name) == "0007", "\(name)")
                // One owner of the state folder: StateDirectory= would hand it to each unit's user in turn.
                #expect(try value("StateDirectory", in: name) == (name == "kiosk-forwarder.service" ? nil : "kiosk"), "\(name)")
            }
        }
    }

    @Test func sysusersAndTmpfilesMakeTheUserAndFoldersInAnImage() throws {
        let root = try temporaryFolder("image")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        let users = try runToEnd(["/usr/bin/systemd-sysusers", "--root=\(root.path)",
                                  Self.folder.appendingPathComponent("sysusers.d/kiosk.conf").path])
        #expect(users.status == 0, "\(users.stderr)")
        let passwd = try String(contentsOf: root.appendingPathComponent("etc/passwd"), encoding: .utf8)
        let kiosk = try #require(passwd.split(separator: "\n").first { $0.hasPrefix("kiosk:") })
        #expect(kiosk.hasSuffix(":/var/lib/kiosk:/usr/sbin/nologin"))
        #expect(passwd.split(separator: "\n").contains { $0.hasPrefix("kiosk-forwarder:") && $0.hasSuffix(":/usr/sbin/nologin") })
        let groups = try String(contentsOf: root.appendingPathComponent("etc/group"), encoding: .utf8)
        let kioskGroup = try #require(groups.split(separator: "\n").first { $0.hasPrefix("kiosk:") })
        #expect(kioskGroup.hasSuffix(":kiosk-forwarder"), "the forwarder shares the state through the group: \(kioskGroup)")

        let folders = try runToEnd(["/usr/bin/systemd-tmpfiles", "--root=\(root.path)", "--create",
                                    Self.folder.appendingPathComponent("tmpfiles.d/kiosk.conf").path])
        #expect(folders.status == 0, "\(folders.stderr)")
        let state = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent("var/lib/kiosk").path)
        #expect((state[.posixPermissions] as? Int) == 0o770)
        let keys = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent("etc/kiosk/credentials").path)
        #expect((keys[.posixPermissions] as? Int) == 0o700 && (keys[.ownerAccountID] as? Int) == 0)
    }
}

/// What a resident would see if the front crashed: with the units' setting,
/// nothing but the end of the front; Swift's own default takes the terminal
/// over with its crash report and waits there (offering to explore memory).
@Suite struct CrashOnTheScreenTests {
    @Test func aCrashedFrontShowsNoCrashReportWithTheUnitsSetting() throws {
        let unit = try String(contentsOf: repositoryRoot.appendingPathComponent("systemd/kiosk-front.service"), encoding: .utf8)
        let setting = try #require(unit.split(separator: "\n").first { $0.hasPrefix("Environment=SWIFT_BACKTRACE=") })
        let marker = UUID().uuidString.prefix(8)
        let front = try TmuxFront(
            environment: ["SWIFT_BACKTRACE": String(setting.dropFirst("Environment=SWIFT_BACKTRACE=".count))],
            wrapper: { command, _ in "\(command) ; echo ended-\(marker); sleep 30" })
        try front.waitFor("社区救助自助申请")
        let kill = try runToEnd(["/usr/bin/pkill", "-SEGV", "-f", "^\\S*kioskd front --no-printer --config \(front.config.path)"])
        #expect(kill.status == 0)
        let screen = try front.waitFor("ended-\(marker)")
        for sign in ["crashed", "Backtrace", "Press space", "Thread 0"] {
            #expect(!screen.contains(sign), "the screen shows the crash report: \(screen)")
        }
    }
}
