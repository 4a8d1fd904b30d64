// The options shared by every agnes-server subcommand that touches DATA_DIR: --data-dir and --config.
import AgnesServer
import AgnesState
import ArgumentParser
import Foundation

struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The data directory (default: $DATA_DIR, data_dir in the configuration file, or ./data).")
    var dataDirectory: String?

    @Option(help: "The configuration file (default: $CONFIG_DIR/instance.yaml when it exists).")
    var config: String?

    /// The maintenance of the resolved DATA_DIR's state: the embedded database under it, or the PostgreSQL state
    /// that `state.url` / `AGNES_STATE_URL` names.
    func maintenance() throws -> StateMaintenance {
        let environment = ProcessInfo.processInfo.environment
        return StateMaintenance(dataDirectory: try AgnesConfiguration.dataDirectory(configFile: config, environment: environment, override: dataDirectory),
                                location: try AgnesConfiguration.stateLocation(configFile: config, environment: environment))
    }
}
