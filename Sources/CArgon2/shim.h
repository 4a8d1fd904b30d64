// libargon2's reference API (Debian libargon2-dev); Agnes only verifies encoded argon2id hashes with it.
#include <argon2.h>
