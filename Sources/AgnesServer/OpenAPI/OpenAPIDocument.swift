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
            // The wire types' schemas (read off the types) over the ones written here.
            "components": ["schemas": .object(schemas.merging(Schema.reflected.components) { _, reflected in reflected }), "securitySchemes": [
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
        // What every operation of its kind may answer, where the operation does not say it more precisely.
        func otherwise(_ status: Int, _ description: String) {
            if responses[String(status)] == nil {
                responses[String(status)] = ["description": .string(description), "content": ["application/json": ["schema": Schema.ref("Error")]]]
            }
        }
        if !pathParameters.isEmpty {
            otherwise(400, "A path parameter that is empty, does not decode, or holds a slash or a control character")
            otherwise(404, "Not found")
        }
        if !operation.query.isEmpty || operation.body != nil { otherwise(400, "An invalid parameter or field") }
        if APIDescription.rateLimited.contains("\(operation.method) \(operation.path)") {
            otherwise(429, "Too many attempts from this address or for this account; try again later")
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
        return [
            // A message, the fields at fault, or a structured detail (`{"error": "validator_rejected", …}`): `ErrorBody`.
            "Error": s.object(["detail": ErrorBody.Detail.jsonSchema, "request_id": s.string], required: ["detail"]),
            // FastAPI's 422 lists the fields at fault; a refusal of a well-formed body (upstream's HTTPException(422)) is a message.
            "ValidationError": s.object(["detail": ["anyOf": [s.array(s.object(["type": s.string, "loc": s.array(s.string), "msg": s.string],
                                                                               required: ["type", "loc", "msg"])), s.string]]],
                                        required: ["detail"]),
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
