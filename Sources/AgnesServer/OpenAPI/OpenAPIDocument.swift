// Renders `APIDescription` as an OpenAPI 3.1 document, with the shared component schemas.
import AgnesAPI
import AgnesCore
import Hummingbird
import Foundation

enum OpenAPIDocument {
    static func make() -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for operation in APIDescription.operations {
            paths[operation.path, default: [:]][operation.method.lowercased()] = render(operation)
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "Agnes API", "version": .string(AgnesVersion.current),
                     "description": "Data distribution for AI analysts. Errors are {\"detail\": …}; 422 lists the fields at fault."],
            "paths": .object(paths.mapValues { .object($0) }),
            "components": ["schemas": .object(schemas), "securitySchemes": [
                "bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"],
                "cookie": ["type": "apiKey", "in": "cookie", "name": "access_token"],
            ]],
        ]
    }

    static func render(_ operation: APIOperation) -> JSONValue {
        var object: [String: JSONValue] = [
            "summary": .string(operation.summary), "tags": [.string(operation.tag)],
            "operationId": .string("\(operation.method.lowercased())\(operation.path.replacingOccurrences(of: "/", with: "_"))"),
            "x-access": .string(operation.access.rawValue),
        ]
        let pathParameters = operation.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
        let parameters = pathParameters.map { name -> JSONValue in ["name": .string(name), "in": "path", "required": true, "schema": Schema.string] }
            + operation.query.map { name -> JSONValue in ["name": .string(name), "in": "query", "required": false, "schema": Schema.string] }
        if !parameters.isEmpty { object["parameters"] = .array(parameters) }
        if let body = operation.body {
            object["requestBody"] = ["required": true, "content": .object([operation.bodyType: ["schema": body]])]
        }
        var responses: [String: JSONValue] = [:]
        for (status, description, schema) in operation.responses {
            var response: [String: JSONValue] = ["description": .string(description)]
            if let schema { response["content"] = ["application/json": ["schema": schema]] }
            responses[String(status)] = .object(response)
        }
        if operation.body != nil { responses["422"] = ["description": "Malformed body", "content": ["application/json": ["schema": Schema.ref("ValidationError")]]] }
        if operation.access != .anyone {
            responses["401"] = ["description": "Not signed in", "content": ["application/json": ["schema": Schema.ref("Error")]]]
            object["security"] = [["bearer": []], ["cookie": []]]
        }
        if operation.access == .admin {
            responses["403"] = ["description": "Admin access required", "content": ["application/json": ["schema": Schema.ref("Error")]]]
        }
        object["responses"] = .object(responses)
        return .object(object)
    }

    static let schemas: [String: JSONValue] = {
        let s = Schema.self
        let ts = s.dateTime, ns = s.nullable(s.string), nts = s.nullable(s.dateTime)
        return [
            "Error": s.object(["detail": s.string, "request_id": s.string], required: ["detail"]),
            // FastAPI's 422 lists the fields at fault; a refusal of a well-formed body (upstream's HTTPException(422)) is a message.
            "ValidationError": s.object(["detail": ["anyOf": [s.array(s.object(["type": s.string, "loc": s.array(s.string), "msg": s.string],
                                                                               required: ["type", "loc", "msg"])), s.string]]],
                                        required: ["detail"]),
            "Health": s.object(["status": s.string, "version": s.string, "duckdb": s.string, "db_schema": s.string,
                                "current": s.integer, "expected": s.integer], required: ["status", "version", "duckdb"]),
            "Version": s.object(["version": s.string, "channel": s.string, "image_tag": s.string, "commit_sha": s.string,
                                 "schema_version": s.integer, "deployed_at": ns]),
            "TokenResponse": s.object(["access_token": s.string, "token_type": s.string, "user_id": s.string, "email": s.string,
                                       "role": s.string, "message": s.string], required: ["access_token", "token_type", "email", "role"]),
            "CreatedToken": s.object(["id": s.string, "name": s.string, "prefix": s.string, "token": s.string, "expires_at": nts, "created_at": ts]),
            "Token": s.object(["id": s.string, "name": s.string, "prefix": s.string, "scopes": s.array(s.string), "created_at": ts,
                               "expires_at": nts, "last_used_at": nts, "revoked_at": nts, "user_id": s.string, "user_email": s.string,
                               "last_used_ip": ns]),
            "User": s.object(["id": s.string, "email": s.string, "name": ns, "role": s.string, "is_admin": s.boolean, "is_sso_user": s.boolean,
                              "groups": s.array(s.object(["id": s.string, "name": s.string, "is_system": s.boolean, "origin": s.string])),
                              "active": s.boolean, "created_at": ts, "deactivated_at": nts, "last_login_at": nts, "invite_url": ns,
                              "invite_email_sent": s.nullable(s.boolean)]),
            "Group": s.object(["id": s.string, "name": s.string, "description": ns, "is_system": s.boolean, "origin": s.string,
                               "created_at": ts, "created_by": ns, "member_count": s.integer, "grant_count": s.integer,
                               "is_google_managed": s.boolean, "mapped_email": ns]),
            "Member": s.object(["user_id": s.string, "email": s.string, "name": ns, "active": s.boolean, "source": s.string,
                                "added_at": ts, "added_by": ns]),
            "Membership": s.object(["group_id": s.string, "group_name": s.string, "is_system": s.boolean, "source": s.string,
                                    "added_at": ts, "added_by": ns]),
            "Grant": s.object(["id": s.string, "group_id": s.string, "group_name": s.string, "resource_type": s.string,
                               "resource_id": s.string, "row_filter": ns, "assigned_at": ts, "assigned_by": ns]),
            "EffectiveAccess": s.object(["user_id": s.string, "email": s.string, "is_admin": s.boolean,
                                         "groups": s.array(s.object(["group_id": s.string, "group_name": s.string])),
                                         "items": s.array(s.object(["resource_type": s.string, "resource_id": s.string,
                                                                    "via_groups": s.array(s.object(["group_id": s.string, "group_name": s.string]))]))]),
            "AuditEntry": s.object(["id": s.string, "timestamp": ts, "user_id": ns, "action": s.string, "resource": ns, "params": ns,
                                    "result": ns, "duration_ms": s.nullable(s.integer), "client_ip": ns, "client_kind": ns, "request_id": ns]),
        ]
    }()
}

/// `GET /api/openapi.json`.
enum OpenAPIRoutes {
    static func register(on router: Router<AgnesRequestContext>) {
        let body = (try? JSONCoding.encoder.encode(OpenAPIDocument.make())) ?? Data("{}".utf8)
        router.get("/api/openapi.json") { _, context -> Response in
            context.audit.skip()
            return body.response(status: .ok)
        }
    }
}
