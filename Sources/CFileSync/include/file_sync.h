// Linux's sync_file_range, which Swift's Glibc module does not expose (it needs _GNU_SOURCE).
#pragma once
#include <stdint.h>

/// Asks the kernel to start writing bytes [offset, offset + count) of `fd` to disk, without waiting; 0 or -1 (errno).
int agnes_start_writeback(int fd, int64_t offset, int64_t count);
