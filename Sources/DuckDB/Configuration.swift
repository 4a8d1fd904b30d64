// Typed start-up options for a DuckDB database, with any other option settable by name.
import CDuckDB
import Foundation

extension Database {
    /// Start-up options of a database. Unset options keep DuckDB's defaults, except extension auto-install and
    /// auto-load, which are off so DuckDB never reaches for the network.
    public struct Configuration: Sendable, Equatable {
        /// How the database file is opened.
        public enum AccessMode: String, Sendable {
            case automatic = "AUTOMATIC"
            case readOnly = "READ_ONLY"
            case readWrite = "READ_WRITE"
        }

        /// Worker threads DuckDB may use (`threads`); nil = one per core.
        public var threads: Int?
        /// Memory limit, in DuckDB's syntax (`"2GB"`, `"512MB"`, `"80%"`); nil = DuckDB's default.
        public var memoryLimit: String?
        /// Open read-only, read-write, or decide automatically (DuckDB's default).
        public var accessMode: AccessMode
        /// Where `LOAD name` and auto-loading look for extensions (`extension_directory`).
        public var extensionDirectory: String?
        /// Whether DuckDB may download known extensions (`autoinstall_known_extensions`). Off by default.
        public var autoinstallKnownExtensions: Bool
        /// Whether DuckDB may load known extensions on first use (`autoload_known_extensions`). Off by default.
        public var autoloadKnownExtensions: Bool
        /// Any other option, by DuckDB's name (`"default_order": "DESC"`); applied after the typed ones.
        public var options: [String: String]

        public init(
            threads: Int? = nil,
            memoryLimit: String? = nil,
            accessMode: AccessMode = .automatic,
            extensionDirectory: String? = Configuration.bundledExtensionDirectory,
            autoinstallKnownExtensions: Bool = false,
            autoloadKnownExtensions: Bool = false,
            options: [String: String] = [:]
        ) {
            self.threads = threads
            self.memoryLimit = memoryLimit
            self.accessMode = accessMode
            self.extensionDirectory = extensionDirectory
            self.autoinstallKnownExtensions = autoinstallKnownExtensions
            self.autoloadKnownExtensions = autoloadKnownExtensions
            self.options = options
        }

        /// The option names and values passed to `duckdb_set_config`, in order.
        func settings() -> [(String, String)] {
            var settings: [(String, String)] = []
            if let threads { settings.append(("threads", String(threads))) }
            if let memoryLimit { settings.append(("memory_limit", memoryLimit)) }
            if accessMode != .automatic { settings.append(("access_mode", accessMode.rawValue)) }
            if let extensionDirectory { settings.append(("extension_directory", extensionDirectory)) }
            settings.append(("autoinstall_known_extensions", autoinstallKnownExtensions ? "true" : "false"))
            settings.append(("autoload_known_extensions", autoloadKnownExtensions ? "true" : "false"))
            if Database.returnsFreedMemoryInBackground && options["allocator_background_threads"] == nil {
                settings.append(("allocator_background_threads", "true"))
            }
            for name in options.keys.sorted() { settings.append((name, options[name]!)) }
            return settings
        }

        /// The extensions folder shipped beside `libduckdb.so` (`.deps/duckdb/extensions` after bootstrap), or the
        /// folder named by `AGNES_DUCKDB_EXTENSION_DIR`; nil when neither exists.
        public static let bundledExtensionDirectory: String? = {
            if let configured = ProcessInfo.processInfo.environment["AGNES_DUCKDB_EXTENSION_DIR"], !configured.isEmpty {
                return configured
            }
            guard let library = loadedLibraryPath() else { return nil }
            let directory = URL(fileURLWithPath: library).deletingLastPathComponent().appendingPathComponent("extensions").path
            return FileManager.default.fileExists(atPath: directory) ? directory : nil
        }()

        /// The file `libduckdb.so` was loaded from, found through the dynamic linker.
        private static func loadedLibraryPath() -> String? {
            agnes_duckdb_library_path().map { String(cString: $0) }
        }
    }
}
