// Request counts and latency histograms for `/metrics` (Prometheus text format), labelled by method, route pattern
// (never the raw path, so ids do not explode the series) and status.
import Foundation
import Prometheus

/// The server's Prometheus registry and the request metrics in it.
public final class RequestMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    static let latencyBuckets: [Duration] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
        .map { Duration.nanoseconds(Int64($0 * 1e9)) }

    public init() {}

    /// Counts one finished request and records how long it took.
    public func observe(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "agnes", metricName: "http_requests", unitName: "total",
                                             helpText: "HTTP requests by method, route and status"),
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "agnes", metricName: "http_request_duration", unitName: "seconds",
                                             helpText: "HTTP request latency by method and route"),
            labels: [("method", method), ("route", route)], buckets: Self.latencyBuckets
        ).record(duration)
    }

    /// The exposition text.
    public func render() -> String { registry.emitToString() }
}
