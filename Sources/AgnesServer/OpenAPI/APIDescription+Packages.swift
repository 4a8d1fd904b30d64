// Data packages, memory domains and the stack in the OpenAPI document.
import AgnesAPI

extension APIDescription {
    static var packages: [APIOperation] {
        let package = Schema.of(DataPackage.self)
        let memoryDomain = Schema.of(MemoryDomain.self)
        let error = Schema.ref("Error")
        var operations: [APIOperation] = []
        for (base, noun, schema, list) in [("/api/admin/data-packages", "data package", package, Schema.of(DataPackageList.self)),
                                           ("/api/admin/memory-domains", "memory domain", memoryDomain, Schema.of(MemoryDomainList.self))] {
            operations += [
                .init(method: "GET", path: base, summary: "Every \(noun) (deleted ones with include_deleted=true)", tag: "packages", access: .admin,
                      query: ["include_deleted"], responses: [(200, "The list", list)]),
                .init(method: "POST", path: base, summary: "Create a \(noun)", tag: "packages", access: .admin, body: Schema.of(PackageRequest.self),
                      responses: [(201, "Created", schema), (400, "Blank name or bad slug", error), (409, "The slug is taken", error),
                                  (422, "A field with a bad value", error)]),
                .init(method: "GET", path: "\(base)/{id}", summary: "One \(noun)", tag: "packages", access: .admin,
                      responses: [(200, "Found", schema), (404, "Not found", error)]),
                .init(method: "PUT", path: "\(base)/{id}", summary: "Edit a \(noun) (the fields given)", tag: "packages", access: .admin,
                      body: Schema.of(PackageRequest.self),
                      responses: [(200, "Edited", schema), (404, "Not found", error), (409, "The slug is taken", error)]),
                .init(method: "DELETE", path: "\(base)/{id}", summary: "Soft-delete a \(noun): it gives no one anything until restored",
                      tag: "packages", access: .admin, responses: [(204, "Deleted", nil), (404, "Not found", error)]),
                .init(method: "POST", path: "\(base)/{id}/restore", summary: "Restore a deleted \(noun)", tag: "packages", access: .admin,
                      responses: [(200, "Restored", schema), (404, "Not found", error)]),
            ]
        }
        for (base, segment, noun) in [("/api/admin/data-packages", "tables", "table"), ("/api/admin/data-packages", "metrics", "metric"),
                                      ("/api/admin/data-packages", "memory-domains", "memory domain"), ("/api/admin/memory-domains", "items", "memory item")] {
            operations += [
                .init(method: "POST", path: "\(base)/{id}/\(segment)", summary: "Add a \(noun)", tag: "packages", access: .admin,
                      body: Schema.of(PackageMemberRequest.self),
                      responses: [(200, "Added (false: it was there)", Schema.of(PackageMemberAdded.self)), (404, "Unknown owner or \(noun)", error),
                                  (422, "The member's id is missing", error)]),
                .init(method: "DELETE", path: "\(base)/{id}/\(segment)/{member}", summary: "Remove a \(noun)", tag: "packages", access: .admin,
                      responses: [(204, "Removed", nil), (404, "Not there", error)]),
            ]
        }
        operations += [
            .init(method: "GET", path: "/api/stack", summary: "The caller's stack: packages and memory domains in it", tag: "stack", access: .user,
                  query: ["type"], responses: [(200, "The stack", Schema.of(StackListing.self)), (400, "Unknown type", error)]),
            .init(method: "GET", path: "/api/stack/browse", summary: "Everything the caller's groups are granted, with what is in the stack",
                  tag: "stack", access: .user, query: ["type"], responses: [(200, "The grants", Schema.of(StackListing.self)), (400, "Unknown type", error)]),
            .init(method: "POST", path: "/api/stack/subscribe", summary: "Take an available package or domain into the stack", tag: "stack",
                  access: .user, body: Schema.of(StackSubscribeRequest.self),
                  responses: [(200, "Subscribed", Schema.of(StackSubscribed.self)), (400, "already_required, or an unknown type", error),
                              (403, "no_grant", error)]),
            .init(method: "DELETE", path: "/api/stack/subscription/{type}/{id}", summary: "Leave a subscription", tag: "stack", access: .user,
                  responses: [(204, "Left (or was not subscribed)", nil), (400, "cannot_remove_required, or an unknown type", error)]),
        ]
        return operations
    }
}
