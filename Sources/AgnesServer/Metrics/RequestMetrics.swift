// Request counts and latency histograms for `/metrics` (Prometheus text format), labelled by method, route pattern
// (never the raw path, so ids do not explode the series) and status.
import Foundation
import Prometheus
import Synchronization

/// The server's Prometheus registry and the request metrics in it.
public final class RequestMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    /// One series of requests: a method, a route pattern and a status.
    private struct Series: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    /// The counter and histogram of each series seen, so a request costs a dictionary lookup rather than the
    /// registry's (which builds the metric's name and labels and takes its lock: about 5 % of `/api/health`).
    private let known = Mutex<[Series: (requests: Counter, latency: DurationHistogram)]>([:])

    static let latencyBuckets: [Duration] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
        .map { Duration.nanoseconds(Int64($0 * 1e9)) }

    public init() {}

    /// Counts one finished request and records how long it took.
    public func observe(method: String, route: String, status: Int, duration: Duration) {
        let series = Series(method: method, route: route, status: status)
        let metrics = known.withLock { $0[series] } ?? register(series)
        metrics.requests.increment()
        metrics.latency.record(duration)
    }

    /// Makes (or finds) the series' metrics in the registry and remembers them.
    private func register(_ series: Series) -> (requests: Counter, latency: DurationHistogram) {
        let requests = registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "agnes", metricName: "http_requests", unitName: "total",
                                             helpText: "HTTP requests by method, route and status"),
            labels: [("method", series.method), ("route", series.route), ("status", String(series.status))])
        let latency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "agnes", metricName: "http_request_duration", unitName: "seconds",
                                             helpText: "HTTP request latency by method and route"),
            labels: [("method", series.method), ("route", series.route)], buckets: Self.latencyBuckets)
        known.withLock { $0[series] = (requests, latency) }
        return (requests, latency)
    }

    /// The exposition text.
    public func render() -> String { registry.emitToString() }
}
