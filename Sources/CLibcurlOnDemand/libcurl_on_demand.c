#include "libcurl_on_demand.h"

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

// libcurl's public types, as far as these forwarders need them: handles are opaque, codes and enumerations are ints.
typedef void CURL;
typedef void CURLM;
typedef void CURLU;
typedef int CURLcode;
typedef int CURLMcode;
typedef int CURLUcode;

static void *libcurl;
static const char *libcurl_error = "not loaded";

static void load_libcurl(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *error = dlerror();
        if (error != NULL) libcurl_error = error;
    }
    __atomic_store_n(&libcurl, library, __ATOMIC_RELEASE);
}

static pthread_once_t libcurl_once = PTHREAD_ONCE_INIT;

// The named function of libcurl.so.4, loading the library on first use. A process that reaches URLSession without
// libcurl cannot go on (Foundation has no error path for a missing libcurl), so this stops it and says why.
static void *libcurl_function(const char *name) {
    pthread_once(&libcurl_once, load_libcurl);
    void *library = __atomic_load_n(&libcurl, __ATOMIC_ACQUIRE);
    void *function = library != NULL ? dlsym(library, name) : NULL;
    if (function == NULL) {
        const char *error = library != NULL ? dlerror() : libcurl_error;
        fprintf(stderr, "fatal: an HTTP request through Foundation's URLSession needs %s from libcurl.so.4: %s\n", name,
                error != NULL ? error : "not found");
        abort();
    }
    return function;
}

int agnes_libcurl_loaded(void) {
    return __atomic_load_n(&libcurl, __ATOMIC_ACQUIRE) != NULL;
}

// The libcurl function a forwarder named `name` forwards to, as `function`: looked up on the forwarder's first call and
// kept. The lookup gives the same answer every time, so two threads racing on a first call only repeat it.
#define LIBCURL_FUNCTION(name)                                                                         \
    static __typeof__(&name) known;                                                                    \
    __typeof__(&name) function = __atomic_load_n(&known, __ATOMIC_ACQUIRE);                            \
    if (function == NULL) {                                                                            \
        function = (__typeof__(&name))libcurl_function(#name);                                         \
        __atomic_store_n(&known, function, __ATOMIC_RELEASE);                                          \
    }

#define FORWARD(result, name, parameters, arguments)                                                   \
    result name parameters {                                                                           \
        LIBCURL_FUNCTION(name)                                                                         \
        return function arguments;                                                                     \
    }

#define FORWARD_VOID(name, parameters, arguments)                                                      \
    void name parameters {                                                                             \
        LIBCURL_FUNCTION(name)                                                                         \
        function arguments;                                                                            \
    }

FORWARD(CURLcode, curl_global_init, (long flags), (flags))
FORWARD(char *, curl_version, (void), ())
FORWARD(void *, curl_version_info, (int age), (age))
FORWARD_VOID(curl_free, (void *pointer), (pointer))
FORWARD(const char *, curl_easy_strerror, (CURLcode code), (code))
FORWARD(CURL *, curl_easy_init, (void), ())
FORWARD_VOID(curl_easy_cleanup, (CURL *handle), (handle))
FORWARD(CURLcode, curl_easy_pause, (CURL *handle, int bitmask), (handle, bitmask))
FORWARD(void *, curl_slist_append, (void *list, const char *string), (list, string))
FORWARD_VOID(curl_slist_free_all, (void *list), (list))
FORWARD(CURLM *, curl_multi_init, (void), ())
FORWARD(CURLMcode, curl_multi_cleanup, (CURLM *multi), (multi))
FORWARD(CURLMcode, curl_multi_add_handle, (CURLM *multi, CURL *handle), (multi, handle))
FORWARD(CURLMcode, curl_multi_remove_handle, (CURLM *multi, CURL *handle), (multi, handle))
FORWARD(CURLMcode, curl_multi_assign, (CURLM *multi, int socket, void *pointer), (multi, socket, pointer))
FORWARD(void *, curl_multi_info_read, (CURLM *multi, int *queued), (multi, queued))
FORWARD(CURLMcode, curl_multi_socket_action, (CURLM *multi, int socket, int mask, int *running),
        (multi, socket, mask, running))
FORWARD(CURLU *, curl_url, (void), ())
FORWARD(CURLUcode, curl_url_get, (CURLU *url, int part, char **value, unsigned int flags), (url, part, value, flags))
FORWARD(CURLUcode, curl_url_set, (CURLU *url, int part, const char *value, unsigned int flags),
        (url, part, value, flags))

// The three variadic functions take exactly one argument after the option: a long, a curl_off_t, a pointer or a
// function pointer, which on x86-64 and AArch64 Linux all travel in one 64-bit general-purpose register, so the argument
// is passed on as such.
_Static_assert(sizeof(long) == sizeof(void *) && sizeof(long long) == sizeof(void *), "LP64 only");

#define FORWARD_OPTION(result, name, handle_type)                                                      \
    result name(handle_type *handle, int option, ...) {                                                \
        LIBCURL_FUNCTION(name)                                                                         \
        va_list arguments;                                                                             \
        va_start(arguments, option);                                                                   \
        void *argument = va_arg(arguments, void *);                                                    \
        va_end(arguments);                                                                             \
        return function(handle, option, argument);                                                     \
    }

FORWARD_OPTION(CURLcode, curl_easy_setopt, CURL)
FORWARD_OPTION(CURLcode, curl_easy_getinfo, CURL)
FORWARD_OPTION(CURLMcode, curl_multi_setopt, CURLM)

#else

int agnes_libcurl_loaded(void) {
    return 0;
}

#endif
