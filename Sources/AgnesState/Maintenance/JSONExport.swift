// Export of every state table to one readable JSON file each, and the import that restores them exactly.
import DuckDB
import Foundation

/// The `manifest.json` written beside the table files.
public struct JSONExportManifest: Codable, Sendable, Equatable {
    public var format: String
    public var schemaVersion: Int
    public var exportedAt: Date
    /// Rows per table.
    public var tables: [String: Int]

    enum CodingKeys: String, CodingKey {
        case format, tables
        case schemaVersion = "schema_version"
        case exportedAt = "exported_at"
    }
}

extension StateMaintenance {
    /// Writes `<table>.json` (a JSON array, one object per row, rows in a stable order) for every state table, plus
    /// `manifest.json`. Timestamps are written in UTC. Returns the manifest.
    @discardableResult
    public func exportJSON(to directory: URL) throws -> JSONExportManifest {
        if let server = postgreSQL {
            return try PostgresStateMirror.run(server, dataDirectory: dataDirectory, backupDirectory: backupDirectory, writeBack: false) {
                try $0.exportJSON(to: directory)
            }
        }
        guard databaseExists else { throw StateError.notFound(what: "state database", id: databaseURL.path) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try withConnection { connection in
            try connection.execute("SET TimeZone = 'UTC'")
            let version = try Self.schemaVersion(connection)
            var counts: [String: Int] = [:]
            for table in try Self.tables(connection) {
                let compact = directory.appendingPathComponent(".\(table).compact.json")
                try connection.execute("COPY (SELECT * FROM \(SQL.identifier(table)) ORDER BY ALL) TO \(SQL.literal(compact.path)) (FORMAT json, ARRAY true)")
                let text = try String(contentsOf: compact, encoding: .utf8)
                try Data(PrettyJSON.format(text).utf8).write(to: directory.appendingPathComponent("\(table).json"), options: .atomic)
                try FileManager.default.removeItem(at: compact)
                counts[table] = Int(try connection.scalar(Int64.self, "SELECT count(*) FROM \(SQL.identifier(table))") ?? 0)
            }
            let manifest = JSONExportManifest(format: "agnes-state-json/1", schemaVersion: version, exportedAt: Date(), tables: counts)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            try encoder.encode(manifest).write(to: directory.appendingPathComponent("manifest.json"), options: .atomic)
            return manifest
        }
    }

    /// Replaces the contents of every state table with the files written by `exportJSON`, in one transaction.
    /// The export must come from the same schema version; the database is migrated first if it is new. Either
    /// backend takes an export written on either.
    @discardableResult
    public func importJSON(from directory: URL) throws -> JSONExportManifest {
        if let server = postgreSQL {
            return try PostgresStateMirror.run(server, dataDirectory: dataDirectory, backupDirectory: backupDirectory, writeBack: true) {
                try $0.importJSON(from: directory)
            }
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let manifestURL = directory.appendingPathComponent("manifest.json")
        guard let data = try? Data(contentsOf: manifestURL) else {
            throw StateError.invalid("\(manifestURL.path) is missing: not a directory written by `agnes-server export --json`")
        }
        let manifest: JSONExportManifest
        do { manifest = try decoder.decode(JSONExportManifest.self, from: data) } catch {
            throw StateError.invalid("\(manifestURL.path) is not a valid export manifest: \(error)")
        }
        _ = try migrate()
        return try withConnection { connection in
            try connection.execute("SET TimeZone = 'UTC'")
            let version = try Self.schemaVersion(connection)
            guard manifest.schemaVersion == version else {
                throw StateError.invalid("the export has schema version \(manifest.schemaVersion) but this database has \(version); import it with the Agnes version that wrote it")
            }
            let tables = try Self.tables(connection)
            let unknown = Set(manifest.tables.keys).subtracting(tables)
            guard unknown.isEmpty else { throw StateError.invalid("the export names unknown tables: \(unknown.sorted().joined(separator: ", "))") }
            try connection.withTransaction { connection in
                for table in tables {
                    let file = directory.appendingPathComponent("\(table).json")
                    guard FileManager.default.fileExists(atPath: file.path) else {
                        throw StateError.invalid("\(file.path) is missing from the export")
                    }
                    let columns = try connection.query("""
                        SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = $1 AND schema_name = 'main' ORDER BY column_index
                        """, table).rows()
                    let spec = columns.map { "\(SQL.literal($0[0].stringValue ?? "")): \(SQL.literal($0[1].stringValue ?? ""))" }.joined(separator: ", ")
                    try connection.execute("DELETE FROM \(SQL.identifier(table))")
                    let inserted = try connection.execute("""
                        INSERT INTO \(SQL.identifier(table)) SELECT * FROM read_json(\(SQL.literal(file.path)), format = 'array', columns = {\(spec)})
                        """)
                    guard inserted == manifest.tables[table] ?? 0 else {
                        throw StateError.invalid("\(file.lastPathComponent) holds \(inserted) rows but the manifest says \(manifest.tables[table] ?? 0)")
                    }
                }
            }
            try connection.execute("CHECKPOINT")
            return manifest
        }
    }

    /// The state tables (all but the migration ledger), by name.
    static func tables(_ connection: Connection) throws -> [String] {
        let names = try connection.query("""
            SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND table_name <> 'schema_migrations' ORDER BY table_name
            """).rows().compactMap { $0[0].stringValue }
        // The names are spliced into SQL below: accept only plain identifiers.
        if let odd = names.first(where: { !$0.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" } }) {
            throw StateError.invalid("unexpected table name '\(odd)' in the state database")
        }
        return names
    }

    static func schemaVersion(_ connection: Connection) throws -> Int {
        Int(try connection.scalar(Int64.self, "SELECT coalesce(max(version), 0) FROM schema_migrations") ?? 0)
    }

    /// Escapes a value for a single-quoted SQL string literal (file paths and names we generate ourselves).
}

/// Re-indents compact JSON without touching any token, so numbers and strings stay exactly as DuckDB wrote them.
enum PrettyJSON {
    static func format(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count * 2)
        var depth = 0
        var inString = false
        var escaped = false
        var previous: Character = " "
        func newline() { output.append("\n"); output.append(String(repeating: "  ", count: depth)) }
        for character in text {
            if inString {
                output.append(character)
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                continue
            }
            switch character {
            case "\"":
                inString = true
                output.append(character)
            case "{", "[":
                output.append(character)
                depth += 1
                newline()
            case "}", "]":
                depth -= 1
                if previous == "{" || previous == "[" {
                    // Empty container: undo the newline just written.
                    while output.last == " " || output.last == "\n" { output.removeLast() }
                } else {
                    newline()
                }
                output.append(character)
            case ",":
                output.append(character)
                newline()
            case ":":
                output.append(": ")
            case " ", "\t", "\n", "\r":
                continue
            default:
                output.append(character)
            }
            previous = character
        }
        return output + "\n"
    }
}
