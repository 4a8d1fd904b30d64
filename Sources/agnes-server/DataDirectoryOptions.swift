// The --data-dir option shared by every agnes-server subcommand that touches DATA_DIR.
import ArgumentParser
import Foundation

struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The data directory (default: $DATA_DIR or ./data).")
    var dataDirectory: String?

    /// The resolved DATA_DIR as an absolute URL.
    var url: URL {
        let path = dataDirectory ?? ProcessInfo.processInfo.environment["DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "data"
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
    }
}
