#define _GNU_SOURCE
#include <fcntl.h>
#include "file_sync.h"

int agnes_start_writeback(int fd, int64_t offset, int64_t count) {
    return sync_file_range(fd, (off_t)offset, (off_t)count, SYNC_FILE_RANGE_WRITE);
}

int agnes_reserve(int fd, int64_t offset, int64_t count) {
    return fallocate(fd, FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)count);
}
