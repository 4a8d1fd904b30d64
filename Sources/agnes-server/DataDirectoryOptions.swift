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

    /// The resolved DATA_DIR as an absolute URL, for a command that works on the embedded state database; refused
    /// when the state is on PostgreSQL.
    func url() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if case let .postgreSQL(server) = try AgnesConfiguration.stateLocation(configFile: config, environment: environment) {
            throw ValidationError("the state is on PostgreSQL (\(server)), and this command works on the embedded state database only. "
                                  + "`agnes-server serve` migrates a PostgreSQL state when it starts (once, under an advisory lock); back it "
                                  + "up and restore it with pg_dump and pg_restore (docs/scale-out.md).")
        }
        return try AgnesConfiguration.dataDirectory(configFile: config, environment: environment, override: dataDirectory)
    }
}
