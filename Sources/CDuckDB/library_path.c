// Finds the file libduckdb.so was loaded from, so the binding can locate the extensions shipped beside it.
#define _GNU_SOURCE
#include <dlfcn.h>
#include "duckdb_capi.h"

const char *agnes_duckdb_library_path(void) {
    Dl_info info;
    if (dladdr((const void *)&duckdb_library_version, &info) == 0) return NULL;
    return info.dli_fname;
}
