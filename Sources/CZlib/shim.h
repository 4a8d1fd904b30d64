// zlib (Debian: zlib1g-dev; swift-nio-extras needs it too), for gzip responses.
#include <zlib.h>
