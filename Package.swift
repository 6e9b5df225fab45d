// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "vertrouwd",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vertrouwd", targets: ["vertrouwd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
    ],
    targets: [
        // Pure domain rules (workflows, consent, deadlines, hours, envelope encryption,
        // the audit hash chain). No Vapor here: these read like the domain and test in milliseconds.
        .target(
            name: "VertrouwdCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            // The 10,000 most common passwords (scripts/make-common-passwords.sh).
            resources: [.copy("Resources/common-passwords.txt")]
        ),
        // Annual-report writers (JSON, CSV, DOCX, SVG charts): render protected statistics only.
        // No Vapor, so the disclosure guarantee is tested over every format without a server.
        .target(
            name: "VertrouwdReports",
            dependencies: [
                "VertrouwdCore",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        // The store: models, migrations, transactions, the audit log, the keys, the one case
        // writer (`CaseWriter`), case access, listings and report queries. No Vapor and no Leaf:
        // the web reaches the data only through what this target declares `package`.
        .target(
            name: "VertrouwdStore",
            dependencies: [
                "VertrouwdCore",
                "VertrouwdReports",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQL", package: "fluent-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The web application: feature folders (Accounts, Organisations, Cases, ...).
        .target(
            name: "VertrouwdApp",
            dependencies: [
                "VertrouwdCore",
                "VertrouwdReports",
                "VertrouwdStore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Crypto", package: "swift-crypto"),
                // Reading the practice's spreadsheets (the organisation import).
                .product(name: "CSV", package: "CSV.swift"),
            ],
            resources: [
                .copy("Resources/Views"),
                .copy("Resources/Public"),
                // The default policy documents, poster and mailing (Markdown subset, `PolicyText`).
                .copy("Resources/Policy"),
            ]
        ),
        .executableTarget(
            name: "vertrouwd",
            dependencies: ["VertrouwdApp"]
        ),
        .testTarget(
            name: "VertrouwdCoreTests",
            dependencies: [
                "VertrouwdCore",
                "VertrouwdReports",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .testTarget(
            name: "VertrouwdAppTests",
            dependencies: [
                "VertrouwdApp",
                "VertrouwdStore",
                "VertrouwdReports",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // A data folder made by an earlier release, for the upgrade test (read by path).
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
