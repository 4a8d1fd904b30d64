// The HTTP client of the connectors that read APIs (Keboola, HTTP/JSON, Jira's backfill): one for the process, which
// fails a request whose connection cannot be made (refused, unresolvable) at once instead of retrying until the
// request's deadline — a sync then says "cannot be reached" in seconds, not minutes.
import AsyncHTTPClient
import NIOCore

enum ConnectorHTTP {
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(10)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
