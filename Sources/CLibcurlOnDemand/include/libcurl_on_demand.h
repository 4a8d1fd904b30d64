// libcurl's functions that Foundation's URLSession (FoundationNetworking) calls, defined here so that agnes-server does
// not name libcurl.so.4 as a needed library: libcurl and the ~30 libraries it needs (TLS, Kerberos, LDAP, SSH, ...)
// cost about 6 MiB of every server and a few milliseconds of every start, and the server makes no request through
// URLSession. The first call loads libcurl.so.4 and forwards every call to it from then on.
#pragma once

/// Whether libcurl.so.4 has been loaded into this process (by a first call through these functions).
int agnes_libcurl_loaded(void);
