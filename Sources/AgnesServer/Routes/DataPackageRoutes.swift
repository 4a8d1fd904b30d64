// Data packages and memory domains over `PackageAdministration` (admins only): `/api/admin/data-packages` and
// `/api/admin/memory-domains`, with upstream's paths.
import AgnesAPI
import AgnesDomain
import AgnesState
import HTTPTypes
import Hummingbird

struct DataPackageRoutes {
    let services: ServerServices
    var packages: PackageAdministration { services.domain.packages }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/admin/data-packages") { request, context in
            try await packages.packages(includeDeleted: Self.includeDeleted(request), for: try context.caller())
        }
        router.post("/api/admin/data-packages") { request, context in
            try await packages.createPackage(try await request.decodeJSON(PackageRequest.self, context: context), for: try context.caller())
                .jsonResponse(status: .created)
        }
        router.get("/api/admin/data-packages/{id}") { _, context in
            try await packages.package(try context.pathParameter("id"), for: try context.caller())
        }
        router.put("/api/admin/data-packages/{id}") { request, context in
            try await packages.updatePackage(try context.pathParameter("id"), try await request.decodeJSON(PackageRequest.self, context: context),
                                             for: try context.caller())
        }
        router.delete("/api/admin/data-packages/{id}") { _, context -> HTTPResponse.Status in
            _ = try await packages.setPackageDeleted(try context.pathParameter("id"), deleted: true, for: try context.caller())
            return .noContent
        }
        router.post("/api/admin/data-packages/{id}/restore") { _, context in
            try await packages.setPackageDeleted(try context.pathParameter("id"), deleted: false, for: try context.caller())
        }
        members(.tables, "/api/admin/data-packages", "tables", on: router)
        members(.metrics, "/api/admin/data-packages", "metrics", on: router)
        members(.memoryDomains, "/api/admin/data-packages", "memory-domains", on: router)

        router.get("/api/admin/memory-domains") { request, context in
            try await packages.domains(includeDeleted: Self.includeDeleted(request), for: try context.caller())
        }
        router.post("/api/admin/memory-domains") { request, context in
            try await packages.createDomain(try await request.decodeJSON(PackageRequest.self, context: context), for: try context.caller())
                .jsonResponse(status: .created)
        }
        router.get("/api/admin/memory-domains/{id}") { _, context in
            try await packages.memoryDomain(try context.pathParameter("id"), for: try context.caller())
        }
        router.put("/api/admin/memory-domains/{id}") { request, context in
            try await packages.updateDomain(try context.pathParameter("id"), try await request.decodeJSON(PackageRequest.self, context: context),
                                            for: try context.caller())
        }
        router.delete("/api/admin/memory-domains/{id}") { _, context -> HTTPResponse.Status in
            _ = try await packages.setDomainDeleted(try context.pathParameter("id"), deleted: true, for: try context.caller())
            return .noContent
        }
        router.post("/api/admin/memory-domains/{id}/restore") { _, context in
            try await packages.setDomainDeleted(try context.pathParameter("id"), deleted: false, for: try context.caller())
        }
        members(.items, "/api/admin/memory-domains", "items", on: router)
    }

    /// `POST <base>/{id}/<segment>` (add one, `{added}`) and `DELETE <base>/{id}/<segment>/{member}` (204).
    func members(_ link: PackageLink, _ base: String, _ segment: String, on router: RouterGroup<AgnesRequestContext>) {
        router.post("\(base)/{id}/\(segment)") { request, context in
            try await packages.add(link, owner: try context.pathParameter("id"), try await request.decodeJSON(PackageMemberRequest.self, context: context),
                                   for: try context.caller())
        }
        router.delete("\(base)/{id}/\(segment)/{member}") { _, context -> HTTPResponse.Status in
            try await packages.remove(link, owner: try context.pathParameter("id"), member: try context.pathParameter("member"), for: try context.caller())
            return .noContent
        }
    }

    static func includeDeleted(_ request: Request) -> Bool {
        request.uri.queryParameters.get("include_deleted").map { ["true", "1", "yes"].contains($0.lowercased()) } ?? false
    }
}
