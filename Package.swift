// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Tutti",
    products: [
        .executable(name: "tutti", targets: ["tutti"]),
        .library(name: "TuttiCore", targets: ["TuttiCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(name: "CTuttiSystem"),
        .target(name: "CTuttiBench"),
        .target(
            name: "TuttiCore",
            dependencies: ["CTuttiSystem", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "TuttiDashboard", dependencies: ["TuttiCore"]),
        .target(name: "TuttiAgents", dependencies: ["CTuttiSystem", "TuttiCore"]),
        .target(name: "TuttiMCP", dependencies: ["TuttiCore", .product(name: "MCP", package: "swift-sdk"),
                                               .product(name: "Logging", package: "swift-log")]),
        .target(name: "TuttiConductor", dependencies: ["TuttiCore", .product(name: "Hummingbird", package: "hummingbird"),
                                                     .product(name: "Logging", package: "swift-log")]),
        .systemLibrary(name: "CNCurses", providers: [.apt(["libncurses-dev"])]),
        .target(name: "TuttiTerminal", dependencies: ["CNCurses", "CTuttiSystem", "TuttiDashboard", "TuttiCore"]),
        .executableTarget(
            name: "tutti",
            dependencies: ["TuttiCore", "TuttiDashboard", "TuttiTerminal", "TuttiAgents", "TuttiMCP", "TuttiConductor",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "tutti-bench", dependencies: ["CTuttiBench", "CTuttiSystem", "TuttiCore", "TuttiDashboard", "TuttiTerminal"]),
        .executableTarget(name: "tutti-fuzz", dependencies: ["TuttiCore"]),
        .target(name: "TuttiTestSupport", path: "Tests/TuttiTestSupport"),
        .testTarget(name: "TuttiCoreTests", dependencies: ["TuttiCore", "TuttiTestSupport"]),
        .testTarget(name: "TuttiAgentsTests", dependencies: ["TuttiAgents", "TuttiCore", "TuttiTestSupport"]),
        .testTarget(name: "TuttiCLITests", dependencies: ["TuttiCore", "TuttiTestSupport"], exclude: ["MCPClient", "ConductorClient"]),
        .testTarget(name: "TuttiDashboardTests", dependencies: ["TuttiDashboard"], exclude: ["Golden"]),
        .testTarget(name: "TuttiTerminalTests", dependencies: ["TuttiTerminal", "TuttiDashboard", "TuttiCore", "TuttiTestSupport"]),
        .testTarget(name: "TuttiMCPTests", dependencies: ["TuttiMCP", "TuttiDashboard", "TuttiCore", "TuttiTestSupport",
                                                          .product(name: "MCP", package: "swift-sdk")]),
    ]
)
