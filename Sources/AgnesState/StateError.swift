// Errors of the state layer, each naming what failed and, where possible, what to do about it.
import DuckDB
import Foundation

/// An error of the state layer (`system.duckdb`).
public enum StateError: Error, CustomStringConvertible, Equatable {
    /// Another process holds the state database open for writing.
    case locked(path: String, detail: String)
    /// The database was written by a newer Agnes than this binary.
    case newerSchema(databaseVersion: Int, knownVersion: Int)
    /// An applied migration's recorded checksum or name differs from the one this binary ships.
    case migrationChanged(version: Int, name: String, recorded: String, expected: String)
    /// A migration step failed and was rolled back.
    case migrationFailed(version: Int, name: String, message: String, backup: String?)
    /// A record that must exist does not.
    case notFound(what: String, id: String)
    /// A record with the same natural key exists already.
    case conflict(String)
    /// An operation the rules forbid (for example deleting a system group).
    case forbidden(String)
    /// Input that cannot be stored.
    case invalid(String)

    public var description: String {
        switch self {
        case let .locked(path, detail):
            "the state database \(path) is in use by another process (stop the other agnes-server first): \(detail)"
        case let .newerSchema(databaseVersion, knownVersion):
            "the state database has schema version \(databaseVersion), but this agnes-server knows only up to \(knownVersion); upgrade agnes-server (the database was not changed)"
        case let .migrationChanged(version, name, recorded, expected):
            "migration \(version) (\(name)) was applied with checksum \(recorded) but this build ships \(expected); applied migrations must never change"
        case let .migrationFailed(version, name, message, backup):
            "migration \(version) (\(name)) failed and was rolled back: \(message)" + (backup.map { "; a backup taken before migrating is at \($0)" } ?? "")
        case let .notFound(what, id): "\(what) \(id) not found"
        case let .conflict(message), let .forbidden(message), let .invalid(message): message
        }
    }
}
