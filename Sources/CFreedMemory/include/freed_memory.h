// Memory the process holds and no longer needs, handed back to the system: glibc's malloc_trim (which Swift's Glibc
// module does not expose; it is declared in <malloc.h>), and the pages of a shared library only the dynamic loader reads.
#pragma once

#include <stddef.h>
#include <stdint.h>

/// Returns the free pages of every malloc arena to the system; 1 when some were returned, 0 otherwise (and on
/// platforms without glibc).
int agnes_release_freed_memory(void);

/// Unmaps the loader-only segment (headers, symbol, string, hash and relocation tables) of the loaded library whose
/// path ends with `library_suffix`; returns its size in bytes (0 when no such library is loaded, or off Linux). The
/// pages stay in the page cache: a later symbol lookup maps what it reads again.
size_t agnes_release_loader_tables(const char *library_suffix);

/// The size of that segment (its address in `start`), without unmapping it.
size_t agnes_loader_tables(const char *library_suffix, uintptr_t *start);
