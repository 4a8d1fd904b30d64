// swift-tools-version: 6.0
// Agnes: a data distribution platform for AI analysts. See README.md for the layout of this package.
import PackageDescription

// libduckdb.so is fetched by scripts/bootstrap into .deps/duckdb; binaries load it on first use (dlopen, see
// Sources/CDuckDB/lazy_loader.c) and find it through an absolute rpath.
let duckdbLibraryDirectory = Context.packageDirectory + "/.deps/duckdb"

// Our own code builds with no warnings, and stays so: a warning in one of our targets fails the build.
let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]

// The analyst CLI and the server carry the Swift runtime and Foundation inside them (`-static-stdlib`): an `agnes`
// command then starts in ~8 ms instead of ~15 (no symbol lookups across a dozen shared libraries at every start), the
// server holds ~3 MiB less at idle, and both run on a machine without a Swift toolchain (docs/performance.md).
// Foundation's static archives depend on one another in a cycle, so they are linked as one group; lld, because it links
// them without gold's warnings about glibc's mktemp. Relative relocations are packed (DT_RELR, glibc ≥ 2.36): the
// server's 174,000 take 35 KB instead of 4 MB, read at every start.
let staticFoundation = ["Foundation", "FoundationInternationalization", "FoundationEssentials", "CoreFoundation", "_FoundationICU",
                        "_FoundationCShims", "_FoundationCollections", "swiftSynchronization", "dispatch", "BlocksRuntime", "stdc++"]
func staticSwiftRuntime(also libraries: [String] = []) -> [LinkerSetting] {
    [.unsafeFlags(["-static-stdlib", "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--start-group"]
                  + (libraries + staticFoundation).flatMap { ["-Xlinker", "-l\($0)"] } + ["-Xlinker", "--end-group"],
                  .when(platforms: [.linux]))]
}
// The server links the MCP SDK, whose HTTP transport brings FoundationNetworking, which calls the system's libcurl.
// The server makes no request through it, so libcurl is not a needed library of the server but loaded by the first call
// into it (CLibcurlOnDemand): libcurl and the ~30 libraries it needs cost ~6 MiB of every server. The server's code is
// laid out in the order a server runs it, so that a server maps few of its pages (docs/performance.md, "Memory"):
// - in release builds, the functions a server runs first, in that order (scripts/generate-server-symbol-order); a
//   function missing from the list is laid out after the listed ones. Each function is its own section only when
//   compiled with -function-sections, which the Makefile passes to every module (`make release`, `make bench`);
// - Swift's unnamed helpers, which no list can name, gathered in one place (unnamed-functions.ld);
// - the symbols are not exported (`-static-stdlib` exports them all): nothing looks them up, and their tables cost
//   ~2 MiB of every server.
// SwiftPM does not know these files are inputs of the link: after changing one, remove the binary to link it again.
let serverLinkerSettings = staticSwiftRuntime(also: ["FoundationNetworking", "_CFURLSessionInterface"]) + [
    .unsafeFlags(["-Xlinker", "-T\(Context.packageDirectory)/Sources/agnes-server/unnamed-functions.ld", "-Xlinker", "--no-export-dynamic"],
                 .when(platforms: [.linux])),
    .unsafeFlags(["-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/agnes-server/symbol-order.txt",
                  "-Xlinker", "--no-warn-symbol-ordering"], .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "Agnes",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "agnes", targets: ["agnes"]),
        .executable(name: "agnes-mcp", targets: ["agnes-mcp"]),
        .executable(name: "agnes-server", targets: ["agnes-server"]),
        .library(name: "DuckDB", targets: ["DuckDB"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // Our own declarations of the DuckDB C API subset we use, and their definitions that load
        // .deps/duckdb/libduckdb.so on the first call (generated by scripts/generate-duckdb-loader).
        .target(
            name: "CDuckDB",
            linkerSettings: [
                .unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", duckdbLibraryDirectory]),
            ]
        ),
        // The Swift binding: Database, Connection, ConnectionPool, PreparedStatement, ResultSet, Appender, values.
        .target(
            name: "DuckDB",
            dependencies: [
                "CDuckDB",
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(name: "AgnesCore", dependencies: ["CZlib", "CFreedMemory"], swiftSettings: strict),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "CFileSync"),
        .target(name: "CFreedMemory"),
        .target(name: "CLibcurlOnDemand"),
        // The wire contract: every request and response body of the HTTP API as one Codable type, for server and client.
        .target(name: "AgnesAPI", dependencies: ["AgnesCore", "DuckDB"], swiftSettings: strict),
        // The state database: embedded DuckDB by default, PostgreSQL (through postgres-nio) when several processes share it.
        .target(
            name: "AgnesState",
            dependencies: [
                "AgnesAPI", "AgnesCore", "DuckDB",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "AgnesStateTests", dependencies: ["AgnesAPI", "AgnesState", "DuckDB", "AgnesTestSupport"], swiftSettings: strict),
        .target(
            name: "AgnesData",
            dependencies: [
                "AgnesAPI", "AgnesCore", "AgnesState", "DuckDB",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The use cases every surface calls (API routes, web pages, MCP tools): access rules, catalog, query, manifest,
        // sync, scans, administration, memory, metrics, audit.
        .target(
            name: "AgnesDomain",
            dependencies: [
                "AgnesAPI", "AgnesCore", "AgnesState", "AgnesData", "DuckDB", "CArgon2",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strict
        ),
        // The Model Context Protocol front door: the tools' definitions (names, schemas written for a model, hints), the
        // rendering of their results within caps, and an MCP server over any backend (the domain on the server, the
        // REST API and the local workspace in `agnes mcp`).
        .target(
            name: "AgnesMCP",
            dependencies: ["AgnesAPI", "AgnesCore", .product(name: "MCP", package: "swift-sdk"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(name: "AgnesMCPTests", dependencies: ["AgnesAPI", "AgnesMCP", .product(name: "MCP", package: "swift-sdk")], swiftSettings: strict),
        .testTarget(name: "AgnesClientTests", dependencies: ["AgnesAPI", "AgnesClient", "DuckDB", .product(name: "Crypto", package: "swift-crypto"),
                                                          .product(name: "NIOCore", package: "swift-nio")], swiftSettings: strict),
        .testTarget(name: "AgnesDataTests", dependencies: ["AgnesData", "AgnesState", "DuckDB", "AgnesTestSupport"], swiftSettings: strict),
        // Helpers shared by test targets (a private PostgreSQL cluster, free ports, a headless browser over DevTools, a local
        // OpenID provider with Google's Directory API).
        .target(
            name: "AgnesTestSupport",
            dependencies: ["DuckDB", "CZlib", .product(name: "WSClient", package: "swift-websocket"), .product(name: "Logging", package: "swift-log"),
                           .product(name: "Hummingbird", package: "hummingbird"), .product(name: "JWTKit", package: "jwt-kit"),
                           .product(name: "Crypto", package: "swift-crypto"), .product(name: "CryptoExtras", package: "swift-crypto"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Tests/Support",
            swiftSettings: strict
        ),
        // The web UI's pages over the use cases: templates, page models and form actions (no HTTP; the server routes them).
        .target(
            name: "AgnesWeb",
            dependencies: ["AgnesAPI", "AgnesDomain", "AgnesState", .product(name: "Mustache", package: "swift-mustache")],
            swiftSettings: strict
        ),
        // libargon2 (Debian libargon2-dev, installed by scripts/bootstrap): verifies argon2id hashes of migrated users.
        .systemLibrary(name: "CArgon2", path: "Sources/CArgon2"),
        .target(
            name: "AgnesServer",
            dependencies: [
                "AgnesAPI", "AgnesCore", "AgnesDomain", "AgnesMCP", "AgnesWeb", "AgnesState", "AgnesData", "DuckDB", "CArgon2",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AgnesClient",
            dependencies: [
                "AgnesAPI", "AgnesCore", "DuckDB", "CFileSync",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The workspace's MCP server (`agnes mcp`): the shared tools over the REST API plus the local ones. Its own
        // executable, so that `agnes` does not link the MCP SDK, whose HTTP transport brings FoundationNetworking and
        // libcurl (about 11 ms of every `agnes` start, loading their 30 libraries).
        .target(
            name: "AgnesWorkspaceMCP",
            dependencies: ["AgnesAPI", "AgnesClient", "AgnesCore", "AgnesMCP", "DuckDB", .product(name: "MCP", package: "swift-sdk")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "agnes",
            dependencies: ["AgnesAPI", "AgnesClient", "AgnesCore", "DuckDB", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict,
            linkerSettings: staticSwiftRuntime()
        ),
        .executableTarget(
            name: "agnes-mcp",
            dependencies: ["AgnesClient", "AgnesWorkspaceMCP", "AgnesMCP", .product(name: "MCP", package: "swift-sdk")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "agnes-server",
            dependencies: [
                "AgnesServer", "AgnesCore", "AgnesState", "DuckDB",
                .target(name: "CLibcurlOnDemand", condition: .when(platforms: [.linux])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["symbol-order.txt", "unnamed-functions.ld"],
            swiftSettings: strict,
            linkerSettings: serverLinkerSettings
        ),
        .executableTarget(
            name: "DuckDBBindingBenchmark",
            dependencies: ["DuckDB"],
            path: "Benchmarks/DuckDBBinding",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "StateRepositoriesBenchmark",
            dependencies: ["AgnesState", "DuckDB"],
            path: "Benchmarks/StateRepositories",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "OrchestratorBenchmark",
            dependencies: ["AgnesData", "AgnesState", "DuckDB"],
            path: "Benchmarks/Orchestrator",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "SyncBenchmark",
            dependencies: ["AgnesData", "AgnesState"],
            path: "Benchmarks/Sync",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "LakeBenchmark",
            dependencies: ["AgnesAPI", "AgnesData", "AgnesState", "DuckDB"],
            path: "Benchmarks/Lake",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "SoakBenchmark",
            dependencies: [.product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio")],
            path: "Benchmarks/Soak",
            exclude: ["run"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "DataPlaneBenchmark",
            dependencies: ["AgnesData", "AgnesState", "DuckDB"],
            path: "Benchmarks/DataPlane",
            exclude: ["run"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "WebUIBenchmark",
            dependencies: ["AgnesServer", "AgnesState", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio")],
            path: "Benchmarks/WebUI",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "AccessPolicyBenchmark",
            dependencies: ["AgnesAPI", "AgnesData", "AgnesDomain", "AgnesState", "DuckDB", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/AccessPolicies",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "DataPackageBenchmark",
            dependencies: ["AgnesAPI", "AgnesData", "AgnesDomain", "AgnesState", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/DataPackages",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "KnowledgeSearchBenchmark",
            dependencies: ["AgnesAPI", "AgnesData", "AgnesDomain", "AgnesState", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/KnowledgeSearch",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "JiraBenchmark",
            dependencies: ["AgnesAPI", "AgnesServer", "AgnesState", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio")],
            path: "Benchmarks/Jira",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "KeboolaBenchmark",
            dependencies: ["AgnesAPI", "AgnesData", "AgnesState", "AgnesTestSupport"],
            path: "Benchmarks/Keboola",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ScanBenchmark",
            dependencies: ["AgnesData", "DuckDB"],
            path: "Benchmarks/Scan",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "LegacyImportBenchmark",
            dependencies: ["AgnesState"],
            path: "Benchmarks/LegacyImport",
            swiftSettings: strict
        ),
        .testTarget(name: "DuckDBTests", dependencies: ["DuckDB", "CDuckDB"], exclude: ["Arrow/read_ipc.py"], swiftSettings: strict),
        .testTarget(
            name: "AgnesServerTests",
            dependencies: [
                "AgnesServer", "AgnesAPI", "AgnesCore", "AgnesDomain", "AgnesState", "AgnesData", "AgnesTestSupport", "DuckDB",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        // Calls each of CLibcurlOnDemand's forwarders from C, for EndToEndTests (Swift cannot call variadic C functions).
        .target(name: "CLibcurlOnDemandProbe", dependencies: ["CLibcurlOnDemand"], path: "Tests/CLibcurlOnDemandProbe"),
        // The end-to-end tests run the real binaries, which `swift build` builds: `agnes` and `agnes-server` are not
        // dependencies here, as their static runtime would be linked into the test bundle with them.
        .testTarget(name: "EndToEndTests", dependencies: ["AgnesAPI", "AgnesCore", "AgnesDomain", "AgnesState", "DuckDB", "AgnesTestSupport",
                                                       "CLibcurlOnDemand", "CLibcurlOnDemandProbe",
                                                       .product(name: "Crypto", package: "swift-crypto")],
                    exclude: ["MCP/mcp_client.py", "MCP/mcp_oauth.py"], swiftSettings: strict),
    ]
)
