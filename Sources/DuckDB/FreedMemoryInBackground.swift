// DuckDB's allocator is one per process (on Linux, the jemalloc inside libduckdb.so), but DuckDB takes its setting for
// returning freed memory from a background thread (`allocator_background_threads`) from the configuration of each
// database, when it opens that database, and turns it off whenever a database instance goes away (its destructor does,
// in DuckDB 1.5): in a process that opens and closes databases, the setting does not hold. A process that wants it says
// so here, once; every database it opens afterwards carries the setting, and the binding turns the allocator's
// background thread back on after each database instance that goes away.
import CDuckDB
import Synchronization

extension Database {
    private static let freedMemoryInBackground = Atomic<Bool>(false)

    /// Whether DuckDB's allocator returns what queries freed to the system from a background thread in this process
    /// (jemalloc's decay: about a second after it was freed), instead of keeping it until DuckDB next allocates. Off by
    /// default, as in DuckDB. A database whose configuration names `allocator_background_threads` itself keeps its own
    /// value, and with it sets the process's.
    public static var returnsFreedMemoryInBackground: Bool {
        get { freedMemoryInBackground.load(ordering: .relaxed) }
        set { freedMemoryInBackground.store(newValue, ordering: .relaxed) }
    }

    /// Turns the allocator's background thread back on when the process wants it: called after `duckdb_close` and
    /// `duckdb_disconnect`, either of which may be where a database instance goes away (the last connection keeps
    /// it alive past `duckdb_close`). When it is already on, this is one uncontended lock in jemalloc.
    static func keepReturningFreedMemoryInBackground() {
        guard returnsFreedMemoryInBackground else { return }
        _ = agnes_duckdb_set_allocator_background_thread(true)
    }
}
