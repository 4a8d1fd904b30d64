// `GET /metrics`: Prometheus text exposition of the request counts and latency histograms.
import Hummingbird

enum MetricsRoutes {
    static func register(on router: Router<AgnesRequestContext>, metrics: RequestMetrics) {
        router.get("/metrics") { _, context -> Response in
            context.audit.skip()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
    }
}
