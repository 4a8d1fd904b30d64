// The `agnes-server` executable: parses the command line and hands over to the AgnesServer library.
import AgnesCore
import AgnesServer
import AgnesState
import ArgumentParser
import DuckDB
import Foundation
import Logging

@main
struct AgnesServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agnes-server",
        abstract: "The Agnes server: pulls tables from data sources and serves them to analysts.",
        discussion: "Start it with `agnes-server serve`. Settings come from options, then environment variables, then "
            + "instance.yaml (--config, or $CONFIG_DIR/instance.yaml); docs/configuration.md lists them all. "
            + "SIGTERM or SIGINT (Ctrl-C) stops the server cleanly.",
        version: AgnesVersion.current,
        subcommands: [Serve.self, Migrate.self, Backup.self, Restore.self, Export.self, Import.self, ImportLegacy.self]
    )
}

extension AgnesServerCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the HTTP API.",
            discussion: "Opens (and migrates) the state database — DATA_DIR/state/system.duckdb, or PostgreSQL when AGNES_STATE_URL is set — and serves the API (GET /api/openapi.json describes it). Settings: docs/configuration.md."
        )

        @Option(help: "Address to listen on (default: $AGNES_HOST or 127.0.0.1).")
        var host: String?

        @Option(help: "Port to listen on (default: $AGNES_PORT or 8000).")
        var port: Int?

        @OptionGroup var data: DataDirectoryOptions

        @Option(help: "Which background work runs here: all (the default), api (the API only; syncs are queued for workers) or worker (jobs and the elected scheduler). api and worker need AGNES_STATE_URL (default: $AGNES_ROLE or all).")
        var role: ServerRole?

        @Flag(help: "On a first start with no tables and no data sources, create the demo dataset (make run does this).")
        var demo = false

        @Option(name: .customLong("log-format"), help: "text (the default) or json: one object per line (default: $AGNES_LOG_FORMAT or text).")
        var logFormat: LogFormat?

        func run() async throws {
            let configuration = try AgnesConfiguration.load(
                configFile: data.config, environment: ProcessInfo.processInfo.environment,
                overrides: .init(host: host, port: port, dataDirectory: data.dataDirectory, role: role))
            let environment = ProcessInfo.processInfo.environment
            let format = try logFormat ?? environment["AGNES_LOG_FORMAT"].map { text in
                guard let format = LogFormat(rawValue: text) else {
                    throw ValidationError("invalid configuration AGNES_LOG_FORMAT=\(text): must be text or json")
                }
                return format
            } ?? .text
            format.bootstrap()
            let logger = Logger(label: "agnes-server")
            logger.info("starting Agnes \(AgnesVersion.current) on http://\(configuration.server.host):\(configuration.server.port), data in \(configuration.dataDirectory.path)")
            // Opening the state database migrates it. Embedded, it takes DuckDB's file lock: a second server on the
            // same DATA_DIR stops here with a message naming the process that holds it. On PostgreSQL the migration
            // runs under an advisory lock, and processes starting together migrate once.
            logger.info("state: \(configuration.stateLocation)")
            // Every DuckDB this server opens (the state, grant scopes, scans, the query parser) returns what it freed to
            // the system in the background: after a burst of queries, tens of megabytes (docs/performance.md, "Memory").
            Database.returnsFreedMemoryInBackground = true
            let state = try StateStore.open(dataDirectory: configuration.dataDirectory, location: configuration.stateLocation)
            let migration = state.migration
            let migrated = migration.applied.isEmpty ? "up to date"
                : "migrated from \(migration.fromVersion), applied \(migration.applied.count) step(s)" + (migration.backup.map { ", backup at \($0)" } ?? "")
            logger.info("state: schema version \(migration.toVersion), \(migrated)")
            let services: ServerServices
            do {
                services = try await ServerServices.start(configuration: configuration, state: state, logger: logger)
            } catch {
                try? await state.close()
                throw error
            }
            var failure: (any Error)?
            do {
                if demo { try await AgnesServerApplication.seedDemo(services) }
                try await AgnesServerApplication.run(services: services)
            } catch {
                failure = error
            }
            // Graceful shutdown: write the audit entries still queued, then checkpoint and close the database.
            try await services.shutdown()
            try await state.close()
            if let failure { throw failure }
            logger.info("Agnes server stopped")
        }
    }
}

extension LogFormat: ExpressibleByArgument {}
extension ServerRole: ExpressibleByArgument {}
