// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Lifeboat",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lifeboat", targets: ["lifeboat"]),
        .library(name: "LifeboatKit", targets: ["LifeboatKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "LifeboatNative", dependencies: ["CArchive", "CZstd", "CCrypto"], exclude: ["README.md", "Crypto/README.md"]),
        .target(
            name: "LifeboatKit",
            dependencies: [
                "LifeboatNative",
                "CCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Storage/README.md", "Storage/S3/README.md", "Config/README.md", "Backup/README.md", "Restore/README.md", "Verify/README.md", "Catalog/README.md", "Report/README.md", "Browse/README.md"]
        ),
        .executableTarget(
            name: "lifeboat",
            dependencies: [
                "LifeboatKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "LifeboatNativeTests", dependencies: ["LifeboatNative", "LifeboatTestSupport"]),
        // Helpers shared by the test targets: real servers the tests start (moto for S3).
        .target(name: "LifeboatTestSupport", dependencies: ["LifeboatKit"], path: "Tests/LifeboatTestSupport"),
        .testTarget(
            name: "LifeboatKitTests",
            dependencies: ["LifeboatKit", "LifeboatNative", "LifeboatTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "LifeboatCLITests", dependencies: ["LifeboatKit", "LifeboatNative", "LifeboatTestSupport"], exclude: ["Fixtures"]),
    ]
)

// Swift 6 language mode everywhere SwiftPM allows settings (not on system-library targets).
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
