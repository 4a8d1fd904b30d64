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
        collection(DataPackage.self, at: "/api/admin/data-packages", list: { DataPackageList(packages: $0) }, on: router)
        members(.tables, "/api/admin/data-packages", "tables", on: router)
        members(.metrics, "/api/admin/data-packages", "metrics", on: router)
        members(.memoryDomains, "/api/admin/data-packages", "memory-domains", on: router)
        collection(MemoryDomain.self, at: "/api/admin/memory-domains", list: { MemoryDomainList(domains: $0) }, on: router)
        members(.items, "/api/admin/memory-domains", "items", on: router)
    }

    /// List, create, show, edit, delete (204) and restore of packages or of memory domains under `base`.
    func collection<C: CuratedCollection & ResponseEncodable, List: ResponseEncodable>(
        _ type: C.Type, at base: String, list: @escaping @Sendable ([C]) -> List, on router: RouterGroup<AgnesRequestContext>
    ) {
        router.get(RouterPath(base)) { request, context in
            list(try await packages.list(C.self, includeDeleted: Self.includeDeleted(request), for: try context.caller()))
        }
        router.post(RouterPath(base)) { request, context in
            try await packages.create(C.self, try await request.decodeJSON(PackageRequest.self, context: context), for: try context.caller())
                .jsonResponse(status: .created)
        }
        router.get("\(base)/{id}") { _, context in try await packages.show(C.self, try context.pathParameter("id"), for: try context.caller()) }
        router.put("\(base)/{id}") { request, context in
            try await packages.update(C.self, try context.pathParameter("id"), try await request.decodeJSON(PackageRequest.self, context: context),
                                      for: try context.caller())
        }
        router.delete("\(base)/{id}") { _, context -> HTTPResponse.Status in
            _ = try await packages.setDeleted(C.self, try context.pathParameter("id"), deleted: true, for: try context.caller())
            return .noContent
        }
        router.post("\(base)/{id}/restore") { _, context in
            try await packages.setDeleted(C.self, try context.pathParameter("id"), deleted: false, for: try context.caller())
        }
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
