// Calls every libcurl function that CLibcurlOnDemand forwards, through its forwarders, for the tests: Swift cannot call
// libcurl's variadic functions itself.
#pragma once
#include <stddef.h>

/// Runs each forwarder once with arguments whose answer is known (a URL parsed back into its host, a pointer stored on
/// an easy handle and read back, a multi handle driven with no transfer, ...). 0 when every answer was right; otherwise
/// the number of the first wrong step, with what went wrong written to `message`.
int agnes_probe_libcurl_forwarders(char *message, size_t capacity);
