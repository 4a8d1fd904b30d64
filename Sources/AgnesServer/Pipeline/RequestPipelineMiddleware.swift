// Around every request: a request id (propagated when the client sent a sane one), the client address, version
// headers on /api/*, every error turned into a JSON `{"detail": …}` body — server errors carry the request id and
// never internals — and, once the response is known, the request metrics and the audit entry (written durably before
// the response for a change that succeeded, batched for the rest).
import AgnesAPI
import AgnesCore
import AgnesDomain
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    static let requestID = HTTPField.Name("x-request-id")!
    static let serverTiming = HTTPField.Name("server-timing")!
    static let agnesLatestVersion = HTTPField.Name("X-Agnes-Latest-Version")!
    static let agnesMinimumVersion = HTTPField.Name("X-Agnes-Min-Version")!
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let agnesMCPTool = HTTPField.Name("X-Agnes-MCP-Tool")!
    static let agnesMCPClient = HTTPField.Name("X-Agnes-MCP-Client")!
}

/// The first middleware of the Agnes router.
struct RequestPipelineMiddleware: RouterMiddleware {
    /// The CLI version this server still accepts (clients older than this are told to upgrade).
    static var minimumClientVersion: String { "0.0.0" }

    /// Where finished requests are counted (nil: not counted).
    var metrics: RequestMetrics?
    /// Where the audit entries go (nil: not audited).
    var audit: AuditLog?
    /// Take the client address from the leftmost `X-Forwarded-For` (only behind a trusted proxy).
    var trustForwardedFor = false

    func handle(_ request: Request, context: AgnesRequestContext,
                next: (Request, AgnesRequestContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let requestId = Self.requestId(from: request.headers[.requestID])
        var context = context
        context.requestId = requestId
        context.clientIP = clientIP(of: request, context: context)
        context.logger[metadataKey: "request_id"] = .string(requestId)
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = Self.errorResponse(for: error, requestId: requestId, logger: context.logger)
        }
        response.headers[.requestID] = requestId
        if request.uri.path.hasPrefix("/api/") {
            response.headers[.agnesLatestVersion] = AgnesVersion.current
            response.headers[.agnesMinimumVersion] = Self.minimumClientVersion
        }
        let duration = ContinuousClock.now - started
        // How long the server worked on the answer (before its body was sent), for browsers' developer tools and benchmarks.
        response.headers[.serverTiming] = Self.serverTiming(duration)
        metrics?.observe(method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: response.status.code,
                         duration: duration)
        if let audit, context.audit.current.afterBody {
            // A streamed answer: its entry (a read's, batched) says what was sent, so it is written once the body is.
            let body = response.body
            response.body = ResponseBody { [self, response, context] writer in
                defer {
                    if let entry = entry(of: request, response: response, context: context, duration: ContinuousClock.now - started) {
                        audit.record(entry)
                    }
                }
                try await body.write(writer)
            }
        } else if let audit, let entry = entry(of: request, response: response, context: context, duration: duration) {
            // A change the client is told succeeded is on disk before it is told: its entry is group-committed now.
            // Reads and refusals are appended in the next batch.
            if ![.get, .head, .options].contains(request.method), response.status.code < 400, !context.audit.current.readOnly {
                do { try await audit.recordDurably(entry) } catch {
                    context.logger.error("audit entry not written durably (queued for the next batch): \(error)")
                }
            } else {
                audit.record(entry)
            }
        }
        return response
    }

    /// `app;dur=<milliseconds, three decimals>` (`String(format:)` costs microseconds on Linux, on every request).
    static func serverTiming(_ duration: Duration) -> String {
        let micros = max(0, duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000)
        let fraction = String(micros % 1000)
        return "app;dur=\(micros / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }

    static func errorResponse(for error: any Error, requestId: String, logger: Logger) -> Response {
        switch error {
        case let error as ServiceError:
            return error.response()
        case let error as StateError:
            let (status, detail): (HTTPResponse.Status, String) = switch error {
            case .notFound: (.notFound, error.description)
            case .conflict: (.conflict, error.description)
            case .forbidden: (.forbidden, error.description)
            case .invalid: (.badRequest, error.description)
            default: (.internalServerError, "Internal server error")
            }
            if status == .internalServerError { logger.error("state error: \(error)") }
            return ErrorBody.response(status: status, detail: detail, requestId: status == .internalServerError ? requestId : nil)
        case let error as HTTPResponseError:
            // Errors raised by Hummingbird itself (unknown route, body too large …).
            let detail = error.status == .notFound ? "Not Found" : (error as? HTTPError)?.body ?? error.status.reasonPhrase
            return ErrorBody.response(status: error.status, detail: detail, requestId: error.status.code >= 500 ? requestId : nil)
        default:
            logger.error("unhandled error", metadata: ["error": .string(String(describing: type(of: error)))])
            return ErrorBody.response(status: .internalServerError, detail: "Internal server error", requestId: requestId)
        }
    }

    /// The audit entry of a request that changed something or that a route asked to audit (nil for the rest).
    private func entry(of request: Request, response: Response, context: AgnesRequestContext, duration: Duration) -> AuditEntry? {
        let facts = context.audit.current
        guard !facts.skip else { return nil }
        let path = request.uri.path
        let changes = ![.get, .head, .options].contains(request.method) && (path.hasPrefix("/api/") || path.hasPrefix("/auth/"))
        // A request `agnes mcp` makes for a tool call is audited as that call, read or not, with the client's name.
        let mcpTool = request.headers[.agnesMCPTool].map { String($0.prefix(64)) }
        guard facts.action != nil || changes || mcpTool != nil else { return nil }
        let action = facts.action ?? mcpTool.map { "mcp.\($0)" } ?? "\(request.method.rawValue) \(context.endpointPath ?? path)"
        var recorded = facts.params
        if let mcpTool {
            recorded.merge(["mcp_tool": mcpTool, "mcp_client": String((request.headers[.agnesMCPClient] ?? "").prefix(100)), "transport": "stdio"]) { $1 }
        }
        let params = recorded.isEmpty ? nil : (try? JSONCoding.encoder.encode(recorded)).map { String(decoding: $0, as: UTF8.self) }
        let code = response.status.code
        return AuditEntry(userId: facts.userId, action: action, resource: facts.resource, params: params,
                          result: code < 400 ? "success" : "error.\(code)", durationMs: duration.milliseconds, clientIp: context.clientIP,
                          clientKind: facts.clientKind, requestId: context.requestId)
    }

    private func clientIP(of request: Request, context: AgnesRequestContext) -> String {
        if trustForwardedFor, let forwarded = request.headers[.forwardedFor],
           let first = forwarded.split(separator: ",").first?.trimmingCharacters(in: .whitespaces), !first.isEmpty {
            return first
        }
        return context.peerAddress ?? "unknown"
    }

    /// The client's id when it is short and plain (letters, digits, `-`, `_`, `.`), else a new UUID.
    static func requestId(from header: String?) -> String {
        if let header, !header.isEmpty, header.count <= 128,
           header.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) }) {
            return header
        }
        return Identifier.make()
    }
}
