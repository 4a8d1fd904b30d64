// Small helpers shared by the repositories: ids, and turning DuckDB constraint errors into state errors.
import AgnesAPI
import DuckDB
import Foundation

extension DuckDBError {
    /// True when the error is a unique or primary-key violation.
    var isUniqueViolation: Bool { kind == .constraint && message.contains("Duplicate key") }

    /// True when COMMIT failed because a concurrent transaction committed the same key first (DuckDB checks keys
    /// inserted by two open transactions only when the second commits). Re-running the transaction then sees that row.
    var isDuplicateAtCommit: Bool {
        kind == .transaction && message.contains("Failed to commit") && message.contains("constraint violation")
    }
}

/// Runs `body`, turning a unique violation into `StateError.conflict(message)`.
@discardableResult
func mapUniqueViolation<T>(_ message: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as DuckDBError where error.isUniqueViolation {
        throw StateError.conflict(message())
    }
}

/// Inserts one row in the caller's transaction, leaving out the columns whose value is nil so that they take their
/// default: use it only for columns whose default is NULL. DuckDB keeps the plan of an `INSERT … VALUES` between
/// executions only while every bound value has its parameter's type, which a bound NULL never has (planning again
/// costs about 0.15 ms); each set of present columns is its own cached statement instead. Table and column names
/// come from the code, never from input.
func insertRow(_ connection: any StateConnection, into table: String, _ values: KeyValuePairs<String, (any DuckDBValueConvertible)?>) throws {
    let present = values.compactMap { column, value in value.map { (column, $0) } }
    let columns = present.map(\.0).joined(separator: ", ")
    let placeholders = present.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
    try connection.execute("INSERT INTO \(table) (\(columns)) VALUES (\(placeholders))", parameters: present.map(\.1))
}

/// Updates an existing row, or inserts it when the update matched nothing — one row, in the caller's transaction.
/// For single rows this is several times faster in DuckDB than `INSERT … ON CONFLICT DO UPDATE`. When a concurrent
/// transaction inserted the same key first, the insert's unique violation is reported as a transaction conflict,
/// so `StateStore.write` retries the whole transaction (which then takes the update path).
func updateOrInsert(_ connection: any StateConnection, update: String, _ updateParameters: [(any DuckDBValueConvertible)?],
                    insert: String, _ insertParameters: [(any DuckDBValueConvertible)?]) throws {
    if try connection.execute(update, parameters: updateParameters) > 0 { return }
    try mapConcurrentInsert { try connection.execute(insert, parameters: insertParameters) }
}

/// Runs an insert that first checked the key is free, in the caller's transaction. When a concurrent transaction
/// inserted the same key since, the unique violation is reported as a transaction conflict, so `StateStore.write`
/// retries the whole transaction (which then sees the row).
@discardableResult
func mapConcurrentInsert<T>(_ insert: () throws -> T) throws -> T {
    do {
        return try insert()
    } catch let error as DuckDBError where error.isUniqueViolation {
        throw DuckDBError(kind: .transaction, message: "Conflict: a concurrent transaction inserted the same key (\(error.message))")
    }
}
