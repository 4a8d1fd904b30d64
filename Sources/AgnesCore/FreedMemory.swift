// Memory the process holds and no longer uses, handed back to the system.
//
// - glibc's allocator keeps what is freed in the middle of its arenas for later allocations; after a phase that freed
//   a lot at once (an engine rebuild closes a DuckDB whose catalog held every table's view), that memory would stay
//   resident until reused.
// - The dynamic loader reads a shared library's symbol, string, hash and relocation tables while it loads the library
//   and binds its symbols; libduckdb.so's take 8.4 MB, which then stay resident for the life of the process although
//   nothing reads them while the server serves.
import CFreedMemory

public enum FreedMemory {
    /// The library whose loader tables `release` unmaps: DuckDB's, the only one whose tables are large.
    public static let libraryWithLargeLoaderTables = "libduckdb.so"

    /// Returns the free pages of every malloc arena to the system (glibc's `malloc_trim(0)`, a few milliseconds) and
    /// unmaps DuckDB's loader tables (a `madvise`; they stay in the page cache, and a later symbol lookup, as loading a
    /// DuckDB extension makes, maps what it reads again). Nothing elsewhere than Linux.
    public static func release() {
        _ = agnes_release_freed_memory()
        _ = agnes_release_loader_tables(libraryWithLargeLoaderTables)
    }

    /// The address and size of the loader-only segment of the loaded library whose path ends with `library`; nil when
    /// no such library is loaded (or it has no such segment).
    public static func loaderTables(of library: String) -> (start: UInt, length: Int)? {
        var start: UInt = 0
        let length = agnes_loader_tables(library, &start)
        return length == 0 ? nil : (start, length)
    }
}
