// DuckDB's names for a few list and time functions, defined in a PostgreSQL state database so that the repositories'
// SQL is written once. Each is one line over PostgreSQL's own function; none stores data.

enum PostgresCompatibility {
    /// `CREATE OR REPLACE` statements, run at every open under the migration lock (so a newer binary's definitions
    /// replace an older one's).
    static let functions = """
        CREATE OR REPLACE FUNCTION list_contains(list anycompatiblearray, element anycompatible) RETURNS BOOLEAN
            LANGUAGE SQL IMMUTABLE AS 'SELECT element = ANY(list)';
        CREATE OR REPLACE FUNCTION list_position(list anycompatiblearray, element anycompatible) RETURNS INTEGER
            LANGUAGE SQL IMMUTABLE AS 'SELECT array_position(list, element)';
        CREATE OR REPLACE FUNCTION epoch_us(value TIMESTAMPTZ) RETURNS BIGINT
            LANGUAGE SQL IMMUTABLE AS 'SELECT (extract(epoch FROM value) * 1000000)::BIGINT';
        CREATE OR REPLACE FUNCTION string_split(value TEXT, separator TEXT) RETURNS TEXT[]
            LANGUAGE SQL IMMUTABLE AS 'SELECT string_to_array(value, separator)';
        CREATE OR REPLACE AGGREGATE list(anycompatible) (SFUNC = array_append, STYPE = anycompatiblearray, INITCOND = '{}');
        """

    /// Defines the functions on `connection`.
    static func install(on connection: any StateConnection) throws {
        try connection.transaction { try connection.execute(functions) }
    }
}
