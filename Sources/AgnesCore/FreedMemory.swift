// Memory the process freed, handed back to the system. glibc's allocator keeps what is freed in the middle of its
// arenas for later allocations; after a phase that freed a lot at once (an engine rebuild closes a DuckDB whose catalog
// held every table's view), that memory would stay resident until reused.
import CFreedMemory

public enum FreedMemory {
    /// Returns the free pages of every malloc arena to the system (glibc's `malloc_trim(0)`, a few milliseconds; nothing
    /// elsewhere).
    public static func release() {
        _ = agnes_release_freed_memory()
    }
}
