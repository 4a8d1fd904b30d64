// The options shared by every agnes-server subcommand that touches DATA_DIR: --data-dir and --config.
import AgnesServer
import ArgumentParser
import Foundation

struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The data directory (default: $DATA_DIR, data_dir in the configuration file, or ./data).")
    var dataDirectory: String?

    @Option(help: "The configuration file (default: $CONFIG_DIR/instance.yaml when it exists).")
    var config: String?

    /// The resolved DATA_DIR as an absolute URL.
    func url() throws -> URL {
        try AgnesConfiguration.dataDirectory(configFile: config, environment: ProcessInfo.processInfo.environment, override: dataDirectory)
    }
}
