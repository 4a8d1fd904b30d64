// Linux's sync_file_range and fallocate, which Swift's Glibc module does not expose (they need _GNU_SOURCE).
#pragma once
#include <stdint.h>

/// Asks the kernel to start writing bytes [offset, offset + count) of `fd` to disk, without waiting; 0 or -1 (errno).
int agnes_start_writeback(int fd, int64_t offset, int64_t count);

/// Reserves disk blocks for bytes [offset, offset + count) of `fd` without changing its size; 0 or -1 (errno).
int agnes_reserve(int fd, int64_t offset, int64_t count);
