// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Fleet",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fleet-server", targets: ["fleet-server"]),
        .executable(name: "fleetctl", targets: ["fleetctl"]),
        .executable(name: "fleet-executor", targets: ["fleet-executor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        // No default traits: BinaryDelimitedStreams imports Foundation, which the executor must not link.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0", traits: []),
    ],
    targets: [
        // C shims: module.modulemap + shim.h only.
        .systemLibrary(name: "CMicroHTTPD", path: "Sources/CMicroHTTPD", pkgConfig: "libmicrohttpd",
                       providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CJansson", path: "Sources/CJansson", pkgConfig: "jansson",
                       providers: [.apt(["libjansson-dev"])]),
        .systemLibrary(name: "CLibBPF", path: "Sources/CLibBPF", pkgConfig: "libbpf",
                       providers: [.apt(["libbpf-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),

        // Safe wrappers.
        .target(name: "FleetJSON", dependencies: ["CJansson"]),
        .target(name: "FleetHTTP", dependencies: ["CMicroHTTPD"]),
        .target(name: "FleetPostgres", dependencies: ["CLibPQ"]),
        .target(name: "FleetBPF", dependencies: ["CLibBPF", "FleetSystem"]),
        // POSIX files and environment without Foundation, for everything the executor links.
        .target(name: "FleetSystem"),

        // ONNX: numeric kernels (no dependencies) and the model runtime over them.
        .target(name: "FleetKernels"),
        .target(name: "FleetInference", dependencies: [
            "FleetKernels", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),

        // The release and the commit `--version` names; the commit is stamped by the BuildStamp plugin.
        .plugin(name: "BuildStamp", capability: .buildTool()),
        .target(name: "FleetBuildInfo", plugins: ["BuildStamp"]),

        // Domain and services.
        .target(name: "FleetCore", dependencies: ["FleetJSON", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "FleetServer", dependencies: [
            "FleetCore", "FleetJSON", "FleetHTTP", "FleetPostgres", "FleetInference", "FleetBPF",
            .product(name: "Crypto", package: "swift-crypto"),
        ], resources: [.copy("Resources")]),
        .target(name: "FleetClient", dependencies: ["FleetCore", "FleetJSON", "FleetSystem", "CCurl"]),
        .target(name: "FleetExecutor", dependencies: [
            "FleetCore", "FleetJSON", "FleetSystem", "FleetClient", "FleetBPF", "FleetInference", "FleetBuildInfo",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // Executables: flags and wiring only.
        .executableTarget(name: "fleet-server", dependencies: [
            "FleetServer", "FleetBuildInfo", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The executor exports no symbols: nothing loads it as a library, and the table is over 1 MB.
        .executableTarget(name: "fleet-executor", dependencies: [
            "FleetExecutor", "FleetCore", "FleetJSON", "FleetBuildInfo",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"])]),
        .executableTarget(name: "fleetctl", dependencies: [
            "FleetClient", "FleetCore", "FleetJSON", "FleetBuildInfo",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "FleetJSONTests", dependencies: ["FleetJSON"]),
        .testTarget(name: "FleetCoreTests", dependencies: ["FleetCore", "FleetJSON"]),
        .testTarget(name: "FleetPostgresTests", dependencies: ["FleetPostgres"]),
        .testTarget(name: "FleetHTTPTests", dependencies: ["FleetHTTP"]),
        .testTarget(name: "FleetSystemTests", dependencies: ["FleetSystem"]),
        .testTarget(name: "FleetBPFTests", dependencies: ["FleetBPF"]),
        .testTarget(name: "FleetKernelsTests", dependencies: ["FleetKernels"]),
        .testTarget(name: "FleetInferenceTests", dependencies: ["FleetInference"]),
        .testTarget(name: "FleetExecutorTests", dependencies: [
            "FleetExecutor", "FleetCore", "FleetJSON", "FleetInference", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "FleetClientTests", dependencies: ["FleetClient", "FleetCore", "FleetJSON"]),
        .testTarget(name: "FleetServerTests", dependencies: [
            "FleetServer", "FleetClient", "FleetCore", "FleetJSON", "FleetPostgres",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
