// One forward-only step of the state schema: a numbered, named body of SQL or Swift with a checksum.
import DuckDB

/// A step of the schema ladder. Steps are applied in version order, each in its own transaction, and recorded in
/// `schema_migrations` with a checksum; an applied step must never change.
public struct Migration: Sendable {
    /// What a step does.
    public enum Body: Sendable {
        /// SQL statements separated by `;`. The checksum covers the text.
        case sql(String)
        /// Swift code. Swift cannot be checksummed, so the step declares a `fingerprint` that changes when it does.
        case swift(fingerprint: String, @Sendable (any StateConnection) throws -> Void)
    }

    /// 1, 2, 3 … without gaps.
    public let version: Int
    /// A short snake_case name, shown in status output and errors.
    public let name: String
    public let body: Body

    public init(version: Int, name: String, body: Body) {
        self.version = version
        self.name = name
        self.body = body
    }

    /// The text the checksum is computed over.
    var checksumSource: String {
        switch body {
        case let .sql(text): "sql:" + text
        case let .swift(fingerprint, _): "swift:" + fingerprint
        }
    }

    func apply(_ connection: any StateConnection) throws {
        switch body {
        case let .sql(text): try connection.execute(connection.dialect.schema(text))
        case let .swift(_, step): try step(connection)
        }
    }
}
