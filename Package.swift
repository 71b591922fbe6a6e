// swift-tools-version:6.0
import PackageDescription

// One library per concern; executables stay thin. Each C library sits behind
// exactly one Swift target that owns its pointers (CQRencode → QRCode).
let package = Package(
    name: "HelpKiosk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kioskd", targets: ["kioskd"]),
        .executable(name: "kioskctl", targets: ["kioskctl"]),
        .executable(name: "kiosk-bench", targets: ["kiosk-bench"]),
        .executable(name: "kiosk-center", targets: ["kiosk-center"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // MARK: C libraries
        .systemLibrary(
            name: "CQRencode", path: "Sources/CQRencode",
            pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // Debian's libcups has no cups.pc: the module map links `cups` directly.
        .systemLibrary(name: "CCups", path: "Sources/CCups", providers: [.apt(["libcups2-dev"])]),
        // The system's libyaml: linked, so the packages carry no copy of it.
        .systemLibrary(
            name: "CYAML", path: "Sources/CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // Header only: prctl(2) behind a fixed-argument function.
        .systemLibrary(name: "CProcessHardening", path: "Sources/CProcessHardening"),
        .systemLibrary(
            name: "CPangoCairo", path: "Sources/CPangoCairo",
            pkgConfig: "pangocairo", providers: [.apt(["libpango1.0-dev", "libcairo2-dev"])]),

        // MARK: Libraries
        .target(name: "KioskDomain"),
        .target(name: "YAMLTree", dependencies: ["CYAML"]),
        .target(name: "KioskConfig", dependencies: ["KioskDomain", "YAMLTree"]),
        // What both ends use and neither store owns: sealing at rest, credential files.
        .target(name: "StorageSupport", dependencies: [
            "IntakeProtocol", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "KioskStore", dependencies: [
            "KioskDomain", "IntakeProtocol", "StorageSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "QRCode", dependencies: ["CQRencode"]),
        .target(name: "Receipts", dependencies: [
            "KioskDomain", "KioskConfig", "QRCode", "IntakeProtocol",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "ReceiptPDF", dependencies: ["Receipts", "QRCode", "CPangoCairo"]),
        .target(name: "CupsPrinting", dependencies: ["CCups"]),
        .target(name: "KioskPrinting", dependencies: [
            "KioskDomain", "KioskConfig", "KioskStore", "Receipts", "ReceiptPDF", "CupsPrinting", "IntakeProtocol",
            "KioskMetrics",
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Running under systemd: the notify protocol and journald-form logs.
        .target(name: "ServiceNotify", dependencies: [
            "KioskDomain", "CProcessHardening", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "IntakeProtocol", dependencies: [
            "KioskDomain", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // MARK: The centre, a room a concern (docs/architecture.md draws them).
        // center.yaml and the other files an operator edits, read into values.
        .target(name: "CentreConfig", dependencies: ["KioskConfig", "KioskDomain", "CentreMessages"]),
        // Pure rules of text messages to residents: kinds, templates, a carrier's length count, quiet hours.
        .target(name: "CentreMessages", dependencies: ["KioskDomain"]),
        // Text messages through Kannel: the gateway client (on NIO: no general client's zlib), the outbox's sender
        // service, delivery reports and replies.
        .target(name: "CentreSMS", dependencies: [
            "CentreStore", "CentreConfig", "CentreMessages", "KioskDomain",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Pure rules: a case's and a referral's states and moves, a kiosk's health from its heartbeats, slip tokens.
        .target(name: "CentreWorkflow", dependencies: [
            "CentreConfig", "IntakeProtocol", "KioskDomain", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The referral slip the resident takes to the partner: composed as a
        // receipt document, drawn by the kiosk's PDF renderer, printed through CUPS.
        // The API for partner organisations with their own systems, on the intake listener.
        .target(name: "CentrePartnerAPI", dependencies: [
            "CentreStore", "CentreWorkflow", "CentreConfig", "CentreIntake", "CentreOperations", "IntakeProtocol",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "CentreSlips", dependencies: [
            "CentreConfig", "CentreWorkflow", "Receipts", "ReceiptPDF", "CupsPrinting", "QRCode", "KioskDomain",
        ]),
        // The store: what the centre keeps and the rules for keeping it, over
        // either engine's connection (CenterDatabase); nothing engine-specific.
        .target(name: "CentreStore", dependencies: [
            "CentreConfig", "CentreWorkflow", "CentreMessages", "IntakeProtocol", "StorageSupport", "KioskDomain",
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // A street centre's one file: GRDB's async API and the SQLite schema.
        .target(name: "CentreSQLite", dependencies: [
            "CentreStore", "CentreConfig", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // A district's database: a pool of postgres-nio connections, prepared statements, the schema.
        .target(name: "CentrePostgres", dependencies: [
            "CentreStore", "CentreConfig",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // A street centre's SQLite file moved into the district's PostgreSQL.
        .target(name: "CentreDistrictMove", dependencies: [
            "CentreStore", "StorageSupport", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // What both HTTP faces share: the client's address behind a proxy,
        // connection limits, health and metrics endpoints.
        .target(name: "CentreOperations", dependencies: [
            "CentreStore", "CentreWorkflow", "IntakeProtocol", "KioskDomain", "KioskMetrics",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Where kiosks send: signed requests, rate limits, submissions, heartbeats, progress.
        .target(name: "CentreIntake", dependencies: [
            "CentreStore", "CentreOperations", "CentreConfig", "IntakeProtocol", "KioskDomain", "KioskMetrics",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The staff console: sign-in, inbox, case pages, reports, the fleet.
        .target(name: "CentreConsole", dependencies: [
            "CentreStore", "CentreWorkflow", "CentreMessages", "CentreOperations", "CentreConfig", "CentreSlips", "IntakeProtocol", "KioskDomain",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // What `kiosk-center serve` runs: both listeners, retention and the watchdog in one ServiceGroup.
        .target(name: "CentreServer", dependencies: [
            "CentreConfig", "CentreStore", "CentreOperations", "CentreIntake", "CentreConsole", "CentrePartnerAPI", "CentreSMS", "ServiceNotify",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Counting through swift-metrics; the services' registry and its file.
        .target(name: "KioskMetrics", dependencies: [
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .target(name: "KioskForwarder", dependencies: ["StorageSupport",
            "IntakeProtocol", "KioskStore", "KioskConfig", "KioskDomain", "ServiceNotify", "KioskMetrics",
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "KioskFront", dependencies: [
            "KioskDomain", "KioskConfig", "KioskStore", "Receipts", "QRCode", "KioskPrinting", "ServiceNotify", "IntakeProtocol",
            "KioskMetrics",
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "KioskCommands", dependencies: ["StorageSupport",
            "KioskFront", "KioskForwarder", "ServiceNotify", "KioskMetrics",
            "KioskDomain", "KioskConfig", "KioskStore", "Receipts", "ReceiptPDF", "KioskPrinting", "CupsPrinting", "IntakeProtocol",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // MARK: Executables
        .executableTarget(name: "kioskd", dependencies: ["KioskCommands"]),
        .executableTarget(name: "kioskctl", dependencies: ["KioskCommands"]),
        .executableTarget(name: "kiosk-center", dependencies: [
            "CentreConfig", "CentreWorkflow", "CentreStore", "CentreSQLite", "CentrePostgres", "CentreDistrictMove",
            "CentreOperations", "CentreIntake", "CentreConsole", "CentreServer", "CentreSMS",
            "IntakeProtocol", "StorageSupport", "KioskConfig", "ServiceNotify", "KioskMetrics", "KioskDomain",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The receipt benchmark's baseline calls libqrencode directly, so the
        // bench alone imports CQRencode besides its wrapper.
        .executableTarget(name: "kiosk-bench", dependencies: ["StorageSupport",
            "KioskDomain", "KioskConfig", "KioskStore", "QRCode", "CQRencode", "Receipts", "ReceiptPDF",
            "KioskPrinting", "CupsPrinting", "KioskFront", "KioskForwarder", "CentreConfig", "CentreStore", "CentreSQLite", "CentrePostgres", "CentreConsole", "IntakeProtocol",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: Tests
        .testTarget(name: "KioskDomainTests", dependencies: ["KioskDomain"]),
        .testTarget(name: "KioskConfigTests", dependencies: ["KioskConfig", "YAMLTree"],
                    resources: []),
        .testTarget(name: "KioskStoreTests", dependencies: ["StorageSupport",
            "KioskStore", "KioskConfig", "KioskDomain",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "QRCodeTests", dependencies: ["QRCode", "TestSupport"]),
        .testTarget(name: "ReceiptTests", dependencies: ["StorageSupport",
            "Receipts", "ReceiptPDF", "KioskPrinting", "CupsPrinting", "KioskStore", "KioskConfig", "IntakeProtocol",
        ]),
        // Spawning our executables, a loopback centre and a front in tmux, shared by the test targets.
        .target(name: "TestSupport", dependencies: ["StorageSupport", "KioskConfig", "KioskDomain", "KioskStore", "Receipts", "IntakeProtocol"],
                path: "Tests/TestSupport"),
        // A centre's database for tests: SQLite or the private PostgreSQL cluster.
        .target(name: "CentreTestSupport", dependencies: ["StorageSupport", "CentreConfig", "CentrePostgres", "CentreSQLite", "CentreStore", "KioskStore", "IntakeProtocol", "TestSupport"],
                path: "Tests/CentreTestSupport"),
        .testTarget(name: "CommandTests", dependencies: ["KioskCommands", "IntakeProtocol", "ServiceNotify", "TestSupport", "KioskMetrics",
                                                        "KioskFront", "KioskDomain", "KioskConfig"]),
        .testTarget(name: "ForwardingTests", dependencies: ["StorageSupport",
            "KioskForwarder", "CentreConfig", "CentreWorkflow", "CentreStore", "CentrePostgres", "CentreOperations", "CentreIntake", "IntakeProtocol", "KioskStore", "KioskConfig", "KioskDomain",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"), "TestSupport", "CentreTestSupport", "ServiceNotify",
        ]),
        .testTarget(name: "OperationsTests", dependencies: ["StorageSupport",
            "TestSupport", "KioskStore", "KioskConfig", "KioskCommands", "KioskFront", "IntakeProtocol", "CentreTestSupport",
            "CentreStore", "CentreConfig", "CentreWorkflow",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "CenterTests", dependencies: ["StorageSupport",
            "CentreConfig", "CentreWorkflow", "CentreStore", "CentreSQLite", "CentrePostgres", "CentreDistrictMove",
            "CentreOperations", "CentreIntake", "CentreConsole", "CentreServer", "IntakeProtocol", "KioskDomain",
            "KioskConfig", "KioskStore", "TestSupport", "CentreTestSupport", "ServiceNotify", "CentreSlips", "CentrePartnerAPI",
            "CentreMessages", "CentreSMS",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "FrontTests", dependencies: ["KioskFront", "KioskConfig", "KioskDomain", "KioskStore", "Receipts", "IntakeProtocol",
                                                     "TestSupport"],
                    exclude: ["Snapshots"]),
    ],
    swiftLanguageModes: [.v6]
)
