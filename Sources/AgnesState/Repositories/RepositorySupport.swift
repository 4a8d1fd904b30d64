// Small helpers shared by the repositories: ids, and turning DuckDB constraint errors into state errors.
import DuckDB
import Foundation

public enum Identifier {
    /// A new random id (UUID v4, lower-case).
    public static func make() -> String { UUID().uuidString.lowercased() }
}

extension DuckDBError {
    /// True when the error is a unique or primary-key violation.
    var isUniqueViolation: Bool { kind == .constraint && message.contains("Duplicate key") }
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
