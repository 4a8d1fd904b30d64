// The suites that start several agnes-server processes on a PostgreSQL state run one after another: each starts two
// to four servers, and side by side they left the in-process servers of other tests without a core on two-core
// machines for longer than those tests' 20-second client timeout.
import Testing

@Suite("agnes-server processes on a PostgreSQL state", .serialized)
enum SharedStateServers {}
