// swift-tools-version:6.0
import PackageDescription

// Module map (each module knows only the ones below it; every arrow is an `import`; ARCHITECTURE.md walks the paths):
//   scanrelay (CLI) ─> ScanRelayApp ─> Polling ─> Providers ─> ScanCore ─> ShardedTables
//     │                  │                         ├─> CurlClient ─> CCurlShim ─> CCurl (libcurl via pkg-config)
//     │                  │                         └─> HTTPCore (HTTP dates for Retry-After)
//     │                  ├─> Webhooks (signature schemes, delivery ledger) ─> ShardedTables
//     │                  ├─> AppState (the state seam: StateStore; MemoryStateStore with its journal)
//     │                  │     └─> Polling, Providers (a watch's resolved ref), Webhooks, ScanCore, StateJournal (the `state.dir` journal)
//     │                  ├─> PostgresState (`state.postgres`: the seam's PostgreSQL store, shared watches)
//     │                  │     └─> AppState, Polling, ScanCore, Postgres ─> CLibPQ (libpq via pkg-config)
//     │                  ├─> HTTPServer ─> HTTP2 ─> HTTPCore (request/response model, HTTP/1.1 parser, router)
//     │                  │             │        └─> CNGHTTP2 (libnghttp2 via pkg-config)
//     │                  │             └─> CEpoll
//     │                  └─> CMalloc: glibc's mallopt, for AllocatorTuning.
//     │                  ScanRelayApp also imports HTTPCore, Providers, ScanCore, Postgres, StateJournal and
//     │                  JSONEscaping itself.
//     ├─> CurlClient (wait, healthcheck: no URLSession anywhere), Webhooks (to sign the demo's deliveries)
//     └─> FakeUpstreams: simulated Binarly/Yandex/OpsMx/Harbor servers on HTTPServer, for tests and `scanrelay demo`.
//   Locking: the one lock type every module with shared state uses (ThreadSanitizer can see it), and the one
//   registry of waiting tasks (Waiters, Latch) for long-polls, event streams, shutdown and the server's stop.
//   DequeModule (swift-collections): the FIFO behind every bounded queue (jobs, eviction order, delivery keys...).
//   JSONEscaping: the one JSON string escaper (scans served, problem+json, log lines); a module of its own because
//     HTTPCore and ScanCore, which both write JSON, share no other.
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "ScanRelay",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "scanrelay", targets: ["scanrelay"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // Deque: the one FIFO (a ring buffer that never shrinks) behind every bounded queue: no module keeps a
        // head index and compacts an array by hand.
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        // Tests only: child processes (curl, nghttp, python, the built binary) without Foundation's `Process`.
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
    ],
    targets: [
        // C surfaces the Swift overlays do not export.
        .target(name: "CEpoll", path: "Sources/CEpoll"),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .systemLibrary(
            name: "CNGHTTP2",
            path: "Sources/CNGHTTP2",
            pkgConfig: "libnghttp2",
            providers: [.apt(["libnghttp2-dev"]), .brew(["nghttp2"])]
        ),
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            path: "Sources/CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // Typed wrappers for libcurl's variadic setopt/getinfo, which Swift cannot call.
        .target(name: "CCurlShim", dependencies: ["CCurl"], path: "Sources/CCurlShim"),

        .target(name: "Locking", swiftSettings: strict),
        .target(name: "JSONEscaping", swiftSettings: strict),
        .target(name: "ShardedTables", swiftSettings: strict),

        // HTTP: knows nothing of scans.
        .target(name: "HTTPCore", dependencies: ["JSONEscaping"], swiftSettings: strict),
        .target(name: "HTTP2", dependencies: ["HTTPCore", "CNGHTTP2"], swiftSettings: strict),
        .target(
            name: "HTTPServer",
            dependencies: ["HTTPCore", "HTTP2", "CEpoll", "Locking", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),

        // Outbound HTTP on libcurl: knows nothing of scans; Providers send through it and see no socket.
        .target(name: "CurlClient", dependencies: ["CCurl", "CCurlShim", "Locking"], swiftSettings: strict),

        // Scans: know nothing of sockets.
        .target(
            name: "ScanCore",
            dependencies: ["Locking", "ShardedTables", "JSONEscaping", .product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: strict
        ),
        .target(
            name: "Webhooks",
            dependencies: [
                "Locking", "ShardedTables", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Providers",
            dependencies: ["ScanCore", "CurlClient", "HTTPCore"],
            swiftSettings: strict
        ),
        .target(
            name: "Polling",
            dependencies: [
                "ScanCore", "Providers", "Locking", .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),

        // Durability: the optional append-only journal behind `state.dir`.
        .target(
            name: "StateJournal",
            dependencies: ["Locking"],
            swiftSettings: strict
        ),

        // The state seam: every change and read of scans, delivery keys, events and watches, whatever keeps them.
        .target(
            name: "AppState",
            dependencies: [
                "ScanCore", "Webhooks", "Polling", "Providers", "StateJournal", "Locking",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Shared state on PostgreSQL (`state.postgres`): libpq glue that knows nothing of scans, and the scan, event,
        // delivery and watch flows on top of it, which know nothing of HTTP.
        .target(name: "Postgres", dependencies: ["CLibPQ", "Locking", .product(name: "DequeModule", package: "swift-collections")], swiftSettings: strict),
        .target(
            name: "PostgresState",
            dependencies: [
                "AppState", "Postgres", "ScanCore", "Providers", "Polling", "Locking",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // The application: wires HTTP to scans.
        .target(
            name: "ScanRelayApp",
            dependencies: [
                "HTTPCore", "HTTPServer", "ScanCore", "Webhooks", "Providers", "Polling", "AppState", "PostgresState",
                "StateJournal", "Locking", "JSONEscaping", "CMalloc",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Resources/openapi.yaml")],
            swiftSettings: strict
        ),
        .target(
            name: "FakeUpstreams",
            dependencies: ["HTTPCore", "HTTPServer", "Locking", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "scanrelay",
            dependencies: [
                "ScanRelayApp", "FakeUpstreams", "Webhooks", "CurlClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        .target(
            name: "ChildProcesses",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Tests/Support/ChildProcesses",
            swiftSettings: strict
        ),
        .target(name: "LoopbackSockets", path: "Tests/Support/LoopbackSockets", swiftSettings: strict),
        // A manual clock for waits measured on an injected clock (long-poll deadlines, SSE pings).
        .target(name: "TestClocks", dependencies: ["Locking"], path: "Tests/Support/TestClocks", swiftSettings: strict),
        // Python upstreams (TLS, mTLS, HTTP/2, proxy, redirect, endless, silent) and a test CA made with openssl.
        .target(
            name: "LoopbackUpstreams", dependencies: ["ChildProcesses"], path: "Tests/Support/LoopbackUpstreams",
            exclude: ["upstream_servers.py"], swiftSettings: strict
        ),
        // A throwaway PostgreSQL server per test process (scripts/postgres/throwaway.sh), a fresh database per test.
        .target(
            name: "ThrowawayPostgres", dependencies: ["Postgres", "ChildProcesses"], path: "Tests/Support/ThrowawayPostgres",
            swiftSettings: strict
        ),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "ThrowawayPostgres"], swiftSettings: strict),
        .testTarget(
            name: "PostgresStateTests",
            dependencies: ["PostgresState", "Postgres", "ScanCore", "Providers", "Polling", "Locking", "ThrowawayPostgres"],
            swiftSettings: strict
        ),
        .testTarget(name: "CurlClientTests", dependencies: ["CurlClient", "LoopbackUpstreams"], swiftSettings: strict),
        .testTarget(name: "LockingTests", dependencies: ["Locking", "TestClocks"], swiftSettings: strict),
        .testTarget(name: "JSONEscapingTests", dependencies: ["JSONEscaping"], swiftSettings: strict),
        .testTarget(name: "ShardedTablesTests", dependencies: ["ShardedTables"], swiftSettings: strict),
        .testTarget(name: "HTTPCoreTests", dependencies: ["HTTPCore"], swiftSettings: strict),
        .testTarget(name: "HTTP2Tests", dependencies: ["HTTP2", "HTTPCore", "HTTPServer", "CNGHTTP2", "Locking", "ChildProcesses"], exclude: ["Scripts"], swiftSettings: strict),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "HTTPCore", "Locking", "ChildProcesses", "LoopbackSockets"], swiftSettings: strict),
        .testTarget(name: "ScanCoreTests", dependencies: ["ScanCore", "Locking", "TestClocks"], swiftSettings: strict),
        .testTarget(name: "StateJournalTests", dependencies: ["StateJournal", "Locking"], swiftSettings: strict),
        .testTarget(name: "WebhooksTests", dependencies: ["Webhooks"], swiftSettings: strict),
        // The scanners' payloads every test target reads, as resources of their own.
        .target(
            name: "ProviderFixtures", path: "Tests/Support/ProviderFixtures", resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(name: "ProvidersTests", dependencies: ["Providers", "ScanCore", "ProviderFixtures"], swiftSettings: strict),
        .testTarget(name: "PollingTests", dependencies: ["Polling", "Providers", "ScanCore", "FakeUpstreams", "LoopbackUpstreams"], swiftSettings: strict),
        .testTarget(
            name: "AppStateTests",
            dependencies: [
                "AppState", "ScanCore", "Webhooks", "Providers", "Polling", "StateJournal", "Locking",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ScanRelayAppTests",
            dependencies: [
                "ScanRelayApp", "AppState", "FakeUpstreams", "ScanCore", "Webhooks", "Providers", "Polling", "StateJournal",
                "ChildProcesses", "LoopbackSockets", "LoopbackUpstreams", "ThrowawayPostgres", "Postgres",
                "ProviderFixtures", "Locking", "TestClocks",
                // Not imported: built so the CLI tests can run the binary.
                "scanrelay",
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
