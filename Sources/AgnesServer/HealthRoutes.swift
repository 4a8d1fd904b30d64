// `GET /api/health` (no authentication; one answer reused for a second, as probes may poll it thousands of times a
// second), `GET /api/health/detailed` (signed in) and `GET /api/version`, over `HealthService`; upstream's probes
// `GET /healthz` (alive) and `GET /readyz` (the write canary's verdict, `ReadinessProbe`).
import AgnesAPI
import AgnesDomain
import AgnesState
import Hummingbird
import Synchronization

extension DetailedHealth: ResponseEncodable {}
extension VersionInfo: ResponseEncodable {}
extension Liveness: ResponseEncodable {}
extension Readiness: ResponseEncodable {}

/// Routes that report the server's health and version.
enum HealthRoutes {
    /// How long one answer of `GET /api/health` is reused.
    static let answerLifetime: Duration = .seconds(1)

    static func register(on router: Router<AgnesRequestContext>, state: StateStore, readiness: ReadinessProbe, environment: [String: String]) {
        // The answer is kept encoded: a probe polling thousands of times a second costs no JSON encoding.
        let recent = Mutex<(at: ContinuousClock.Instant, body: ByteBuffer)?>(nil)
        router.get("/api/health") { _, context -> Response in
            context.audit.skip()
            let now = ContinuousClock.now
            let body: ByteBuffer
            if let last = recent.withLock({ $0 }), now - last.at < answerLifetime {
                body = last.body
            } else {
                body = ByteBuffer(bytes: try JSONCoding.encoder.encode(await HealthService.status(of: state)))
                recent.withLock { $0 = (now, body) }
            }
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
        }
        let version = HealthService.version(environment: environment)
        router.get("/api/version") { _, _ in version }
        router.get("/healthz") { _, context -> Liveness in
            context.audit.skip()
            return Liveness()
        }
        router.get("/readyz") { _, context -> Response in
            context.audit.skip()
            let answer = readiness.readiness
            return try answer.jsonResponse(status: answer.status == "ready" ? .ok : .serviceUnavailable)
        }
    }

    static func registerDetailed(on router: RouterGroup<AgnesRequestContext>, services: ServerServices, environment: [String: String]) {
        router.get("/api/health/detailed") { _, context -> DetailedHealth in
            context.audit.skip()
            return try await services.domain.health.detailed(environment: environment, for: try context.caller())
        }
    }
}
