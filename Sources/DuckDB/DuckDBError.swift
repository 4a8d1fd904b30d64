// The one error type of the DuckDB module: DuckDB's own message plus the kind of failure.
import CDuckDB

/// An error raised by DuckDB or by this binding, carrying DuckDB's message and the kind of failure.
public struct DuckDBError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong, grouped the way callers react to it.
    public enum Kind: Sendable, Hashable {
        /// The SQL text could not be parsed.
        case syntax
        /// A table, view, column, schema or function does not exist (or already exists).
        case catalog
        /// The statement could not be bound to the catalog (wrong column, ambiguous name …).
        case binder
        /// A PRIMARY KEY, UNIQUE, NOT NULL, CHECK or FOREIGN KEY constraint was violated.
        case constraint
        /// Reading or writing a file failed, including a database file locked by another process.
        case io
        /// The query was interrupted (`Connection.interrupt()` or a timeout).
        case interrupt
        /// A transaction conflict (for example a write-write conflict) or misuse of BEGIN/COMMIT.
        case transaction
        /// A value could not be converted, is out of range or is otherwise invalid.
        case conversion
        /// Invalid input to a function or a statement.
        case invalidInput
        /// A required extension is missing or could not be loaded.
        case missingExtension
        /// The operation is not permitted (for example a locked-down configuration).
        case permission
        /// DuckDB ran out of memory.
        case outOfMemory
        /// A configuration option is unknown or has an invalid value.
        case configuration
        /// A prepared-statement parameter was missing, unknown or of the wrong kind.
        case parameter
        /// A value read from a result had a different type than the caller asked for.
        case typeMismatch
        /// A DuckDB type this binding does not convert (named in the message).
        case unsupportedType
        /// The API was used in a way it does not allow (closed connection, consumed result …).
        case misuse
        /// An internal DuckDB error, or a fatal one that invalidated the database.
        case `internal`
        /// Any other DuckDB error; the raw `duckdb_error_type` value is kept.
        case other(Int32)
    }

    /// The kind of failure.
    public let kind: Kind
    /// DuckDB's message, unchanged (for example `Catalog Error: Table with name x does not exist!`).
    public let message: String
    /// The SQL that failed, when there was one.
    public let sql: String?

    public init(kind: Kind, message: String, sql: String? = nil) {
        self.kind = kind
        self.message = message
        self.sql = sql
    }

    public var description: String { message }

    /// True for errors a caller may resolve by retrying the transaction (write-write conflicts).
    public var isTransactionConflict: Bool {
        kind == .transaction && (message.contains("conflict") || message.contains("Conflict"))
    }

    init(errorType: duckdb_error_type, message: String?, sql: String?) {
        self.init(kind: Kind(errorType), message: message ?? "DuckDB reported an error without a message", sql: sql)
    }
}

extension DuckDBError.Kind {
    init(_ type: duckdb_error_type) {
        switch type {
        case DUCKDB_ERROR_PARSER, DUCKDB_ERROR_SYNTAX: self = .syntax
        case DUCKDB_ERROR_CATALOG, DUCKDB_ERROR_DEPENDENCY, DUCKDB_ERROR_SEQUENCE: self = .catalog
        case DUCKDB_ERROR_BINDER, DUCKDB_ERROR_PLANNER, DUCKDB_ERROR_EXPRESSION: self = .binder
        case DUCKDB_ERROR_CONSTRAINT, DUCKDB_ERROR_INDEX: self = .constraint
        case DUCKDB_ERROR_IO, DUCKDB_ERROR_NETWORK, DUCKDB_ERROR_HTTP, DUCKDB_ERROR_CONNECTION: self = .io
        case DUCKDB_ERROR_INTERRUPT: self = .interrupt
        case DUCKDB_ERROR_TRANSACTION: self = .transaction
        case DUCKDB_ERROR_CONVERSION, DUCKDB_ERROR_OUT_OF_RANGE, DUCKDB_ERROR_DECIMAL, DUCKDB_ERROR_DIVIDE_BY_ZERO,
            DUCKDB_ERROR_MISMATCH_TYPE, DUCKDB_ERROR_INVALID_TYPE, DUCKDB_ERROR_UNKNOWN_TYPE:
            self = .conversion
        case DUCKDB_ERROR_INVALID_INPUT: self = .invalidInput
        case DUCKDB_ERROR_MISSING_EXTENSION, DUCKDB_ERROR_AUTOLOAD: self = .missingExtension
        case DUCKDB_ERROR_PERMISSION: self = .permission
        case DUCKDB_ERROR_OUT_OF_MEMORY: self = .outOfMemory
        case DUCKDB_ERROR_SETTINGS, DUCKDB_ERROR_INVALID_CONFIGURATION: self = .configuration
        case DUCKDB_ERROR_PARAMETER_NOT_RESOLVED, DUCKDB_ERROR_PARAMETER_NOT_ALLOWED: self = .parameter
        case DUCKDB_ERROR_INTERNAL, DUCKDB_ERROR_FATAL: self = .internal
        default: self = .other(Int32(type.rawValue))
        }
    }
}

extension DuckDBError.Kind {
    /// The kind of an error known only by its message, from the `<Kind> Error:` prefix DuckDB puts on every message
    /// (used where the C API reports no error type: prepare, pending execution, open).
    init(message: String?) {
        guard let message else { self = .other(0); return }
        let prefixes: [(String, DuckDBError.Kind)] = [
            ("Parser Error", .syntax), ("Syntax Error", .syntax), ("Catalog Error", .catalog),
            ("Binder Error", .binder), ("Conversion Error", .conversion), ("Invalid Input Error", .invalidInput),
            ("IO Error", .io), ("Permission Error", .permission), ("Missing Extension Error", .missingExtension),
            ("Constraint Error", .constraint), ("Invalid Configuration Error", .configuration),
            ("Dependency Error", .catalog), ("Interrupt Error", .interrupt), ("TransactionContext Error", .transaction),
            ("Out of Memory Error", .outOfMemory), ("Out of Range Error", .conversion), ("INTERNAL Error", .internal),
        ]
        self = prefixes.first { message.hasPrefix($0.0) }?.1 ?? .other(0)
    }
}
