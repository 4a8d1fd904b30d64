// Compile-time checks that our declarations of DuckDB's C structs have the layout the library was built with.
#include "duckdb_capi.h"

_Static_assert(sizeof(idx_t) == 8, "idx_t is 64-bit");
_Static_assert(sizeof(duckdb_type) == 4, "duckdb_type is an int-sized enum");
_Static_assert(sizeof(duckdb_state) == 4, "duckdb_state is an int-sized enum");
_Static_assert(sizeof(duckdb_result) == 48, "duckdb_result is 6 machine words");
_Static_assert(offsetof(duckdb_result, internal_data) == 40, "duckdb_result.internal_data is the last word");
_Static_assert(sizeof(duckdb_column) == 40, "duckdb_column is 5 machine words");
_Static_assert(sizeof(duckdb_string_t) == 16, "duckdb_string_t is 16 bytes");
_Static_assert(offsetof(duckdb_string_t, value.pointer.ptr) == 8, "a long string's pointer sits at offset 8");
_Static_assert(offsetof(duckdb_string_t, value.inlined.inlined) == 4, "inline bytes start at offset 4");
_Static_assert(sizeof(duckdb_date) == 4, "duckdb_date is int32 days");
_Static_assert(sizeof(duckdb_time) == 8, "duckdb_time is int64 micros");
_Static_assert(sizeof(duckdb_timestamp) == 8, "duckdb_timestamp is int64 micros");
_Static_assert(sizeof(duckdb_interval) == 16, "duckdb_interval is months, days, micros");
_Static_assert(offsetof(duckdb_interval, micros) == 8, "interval micros at offset 8");
_Static_assert(sizeof(duckdb_hugeint) == 16, "hugeint is 128-bit");
_Static_assert(offsetof(duckdb_hugeint, upper) == 8, "hugeint: lower word first");
_Static_assert(sizeof(duckdb_uhugeint) == 16, "uhugeint is 128-bit");
_Static_assert(sizeof(duckdb_decimal) == 24, "decimal is width, scale, hugeint");
_Static_assert(offsetof(duckdb_decimal, value) == 8, "decimal value is 8-aligned");
_Static_assert(sizeof(duckdb_list_entry) == 16, "list entry is offset + length");
_Static_assert(sizeof(duckdb_query_progress_type) == 24, "query progress is three words");
