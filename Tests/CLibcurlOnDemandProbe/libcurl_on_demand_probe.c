#include "libcurl_on_demand_probe.h"

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
#include <stdio.h>
#include <string.h>

// libcurl's prototypes, as CLibcurlOnDemand defines them, and the few constants these probes use (curl/curl.h, 7.x and
// 8.x alike).
typedef void CURL;
typedef void CURLM;
typedef void CURLU;
struct curl_slist {
    char *data;
    struct curl_slist *next;
};
int curl_global_init(long flags);
char *curl_version(void);
void *curl_version_info(int age);
void curl_free(void *pointer);
const char *curl_easy_strerror(int code);
CURL *curl_easy_init(void);
void curl_easy_cleanup(CURL *handle);
int curl_easy_pause(CURL *handle, int bitmask);
int curl_easy_setopt(CURL *handle, int option, ...);
int curl_easy_getinfo(CURL *handle, int info, ...);
struct curl_slist *curl_slist_append(struct curl_slist *list, const char *string);
void curl_slist_free_all(struct curl_slist *list);
CURLM *curl_multi_init(void);
int curl_multi_cleanup(CURLM *multi);
int curl_multi_setopt(CURLM *multi, int option, ...);
int curl_multi_add_handle(CURLM *multi, CURL *handle);
int curl_multi_remove_handle(CURLM *multi, CURL *handle);
int curl_multi_assign(CURLM *multi, int socket, void *pointer);
void *curl_multi_info_read(CURLM *multi, int *queued);
int curl_multi_socket_action(CURLM *multi, int socket, int mask, int *running);
CURLU *curl_url(void);
int curl_url_get(CURLU *url, int part, char **value, unsigned int flags);
int curl_url_set(CURLU *url, int part, const char *value, unsigned int flags);

enum {
    CURL_GLOBAL_ALL = 3,
    CURLE_OK = 0,
    CURLE_UNSUPPORTED_PROTOCOL = 1,
    CURLE_BAD_FUNCTION_ARGUMENT = 43,
    CURLOPT_HTTP_VERSION = 84,
    CURLOPT_MAXFILESIZE_LARGE = 30117,
    CURL_HTTP_VERSION_1_1 = 2,
    CURLOPT_PRIVATE = 10103,
    CURLINFO_PRIVATE = 0x100000 + 21,
    CURLPAUSE_CONT = 0,
    CURLM_OK = 0,
    CURLM_BAD_SOCKET = 5,
    CURLMOPT_MAXCONNECTS = 6,
    CURL_SOCKET_TIMEOUT = -1,
    CURLUPART_URL = 0,
    CURLUPART_HOST = 5,
    CURLUE_OK = 0,
    CURLVERSION_NOW = 10,
};

#define FAIL(step, ...)                              \
    do {                                             \
        snprintf(message, capacity, __VA_ARGS__);    \
        return step;                                 \
    } while (0)

int agnes_probe_libcurl_forwarders(char *message, size_t capacity) {
    if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) FAIL(1, "curl_global_init failed");
    const char *version = curl_version();
    if (version == NULL || strncmp(version, "libcurl/", 8) != 0) FAIL(2, "curl_version: %s", version ? version : "NULL");
    if (curl_version_info(CURLVERSION_NOW) == NULL) FAIL(3, "curl_version_info returned NULL");
    const char *description = curl_easy_strerror(CURLE_UNSUPPORTED_PROTOCOL);
    if (description == NULL || strstr(description, "protocol") == NULL) FAIL(4, "curl_easy_strerror: %s", description);

    CURLU *url = curl_url();
    if (url == NULL) FAIL(5, "curl_url returned NULL");
    if (curl_url_set(url, CURLUPART_URL, "http://127.0.0.1:8000/api/health", 0) != CURLUE_OK) FAIL(6, "curl_url_set");
    char *host = NULL;
    if (curl_url_get(url, CURLUPART_HOST, &host, 0) != CURLUE_OK || host == NULL || strcmp(host, "127.0.0.1") != 0)
        FAIL(7, "curl_url_get: %s", host ? host : "NULL");
    curl_free(host);  // the URL handle stays: curl_url_cleanup is not forwarded, as Foundation does not call it

    struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
    headers = curl_slist_append(headers, "X-Probe: 1");
    if (headers == NULL || headers->next == NULL || strcmp(headers->next->data, "X-Probe: 1") != 0)
        FAIL(8, "curl_slist_append");
    curl_slist_free_all(headers);

    CURL *easy = curl_easy_init();
    if (easy == NULL) FAIL(9, "curl_easy_init returned NULL");
    int marker = 42;
    if (curl_easy_setopt(easy, CURLOPT_PRIVATE, (void *)&marker) != CURLE_OK) FAIL(10, "curl_easy_setopt(PRIVATE)");
    void *stored = NULL;
    if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, &stored) != CURLE_OK || stored != &marker)
        FAIL(11, "curl_easy_getinfo(PRIVATE) gave %p, not %p", stored, (void *)&marker);
    // A long and a curl_off_t, each accepted or refused by its value.
    if (curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) != CURLE_OK)
        FAIL(12, "curl_easy_setopt(HTTP_VERSION, 1.1) was refused");
    if (curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, 1000L) == CURLE_OK) FAIL(12, "curl_easy_setopt(HTTP_VERSION, 1000) was accepted");
    if (curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, (long long)1 << 40) != CURLE_OK)
        FAIL(13, "curl_easy_setopt(MAXFILESIZE_LARGE, 2^40) was refused");
    if (curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, (long long)-1) != CURLE_BAD_FUNCTION_ARGUMENT)
        FAIL(13, "curl_easy_setopt(MAXFILESIZE_LARGE, -1) was accepted");
    // Without a transfer, libcurl answers either "done" or "bad argument", depending on its version.
    int paused = curl_easy_pause(easy, CURLPAUSE_CONT);
    if (paused != CURLE_OK && paused != CURLE_BAD_FUNCTION_ARGUMENT) FAIL(14, "curl_easy_pause: %d", paused);

    CURLM *multi = curl_multi_init();
    if (multi == NULL) FAIL(15, "curl_multi_init returned NULL");
    if (curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 4L) != CURLM_OK) FAIL(16, "curl_multi_setopt(MAXCONNECTS)");
    if (curl_multi_assign(multi, 12345, &marker) != CURLM_BAD_SOCKET) FAIL(17, "curl_multi_assign of an unknown socket");
    int queued = -1;
    if (curl_multi_info_read(multi, &queued) != NULL || queued != 0) FAIL(18, "curl_multi_info_read: %d queued", queued);
    int running = -1;
    if (curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running) != CURLM_OK || running != 0)
        FAIL(19, "curl_multi_socket_action: %d running", running);
    if (curl_multi_add_handle(multi, easy) != CURLM_OK) FAIL(20, "curl_multi_add_handle");
    if (curl_multi_remove_handle(multi, easy) != CURLM_OK) FAIL(21, "curl_multi_remove_handle");
    if (curl_multi_cleanup(multi) != CURLM_OK) FAIL(22, "curl_multi_cleanup");
    curl_easy_cleanup(easy);
    return 0;
}

#else

int agnes_probe_libcurl_forwarders(char *message, size_t capacity) {
    (void)message;
    (void)capacity;
    return 0;
}

#endif
