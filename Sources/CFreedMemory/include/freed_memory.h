// glibc's malloc_trim, which Swift's Glibc module does not expose (it is declared in <malloc.h>).
#pragma once

/// Returns the free pages of every malloc arena to the system; 1 when some were returned, 0 otherwise (and on
/// platforms without glibc).
int agnes_release_freed_memory(void);
