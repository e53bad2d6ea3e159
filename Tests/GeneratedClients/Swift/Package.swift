// swift-tools-version:6.0
// A client generated from ScanRelay's openapi.yaml by swift-openapi-generator, run against a live server by
// scripts/generated-clients.sh. Its own package, so the product's build never depends on the generator; built with
// `--scratch-path .build-generated-swift` (gitignored). The generated sources are written at test time, not kept.
import PackageDescription

let package = Package(
    name: "ScanRelayGeneratedSwiftClient",
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator", exact: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", exact: "1.13.4"),
        .package(url: "https://github.com/apple/swift-openapi-urlsession", exact: "1.4.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .executableTarget(
            name: "RoundTrip",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIURLSession", package: "swift-openapi-urlsession"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
