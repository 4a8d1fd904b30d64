// Administrators edit the registry and the data sources from the web UI — through the same use cases as the API:
// add, edit and test a source; register, edit and unregister a table. Analysts get 403 for every one of these forms.
@testable import AgnesServer
import AgnesAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("registry and source pages")
struct RegistryPagesTests {
    @Test("administrators add, edit and test a source, and register, edit and unregister a table; analysts may not")
    func editing() async throws {
        try await TestServer.run { server, client in
            let admin = try await client.adminToken()
            let ana = try await MemoryRoutesTests.user("ana@example.com", group: "Analysts", client, admin: admin)
            let files = server.directory.appendingPathComponent("files")
            try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
            try "id,total\n1,10\n2,20\n".write(to: files.appendingPathComponent("orders.csv"), atomically: true, encoding: .utf8)
            let pages = WebPagesTests()
            let sourcesPage = try await pages.page(client, .get, "/admin/sources", cookie: admin)
            let token = try #require(WebPagesTests.csrf(in: sourcesPage.body))
            func post(_ path: String, _ form: String, as cookie: String = admin) async throws -> (status: HTTPResponse.Status, location: String) {
                let answer = try await pages.page(client, .post, path, cookie: cookie, form: "csrf=\(token)&" + form)
                return (answer.status, answer.headers[.location]?.removingPercentEncoding ?? "")
            }
            let config = "{\"directory\":\"\(files.path)\"}".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!

            // A source: added, tested, edited.
            let added = try await post("/admin/sources", "name=shop&type=files&config=\(config)&secret_env=")
            #expect(added.status == .seeOther && added.location.contains("notice=Added the source shop"), "\(added.location)")
            let tested = try await post("/admin/sources/shop/test", "")
            #expect(tested.location.contains("notice=shop: directory \(files.path) is readable"), "\(tested.location)")
            let bad = try await post("/admin/sources/shop", "type=files&config=not+json")
            #expect(bad.location.contains("error=The configuration must be a JSON object"))
            let edited = try await post("/admin/sources/shop", "type=files&config=\(config)&secret_env=SHOP_TOKEN")
            #expect(edited.location.contains("notice=Saved the source shop"), "\(edited.location)")
            #expect(try await pages.page(client, .get, "/admin/sources/shop", cookie: admin).body.contains("SHOP_TOKEN"))

            // A table: registered, edited, unregistered; each change is in the registry the API shows.
            let registered = try await post("/admin/tables", "name=Orders&source_name=shop&source_table=orders.csv&query_mode=local&sync_strategy=full_refresh")
            #expect(registered.location.contains("notice=Registered orders"), "\(registered.location)")
            let invalid = try await post("/admin/tables/orders", "sync_strategy=sometimes")
            #expect(invalid.location.contains("error='sometimes' is not a valid sync strategy"), "\(invalid.location)")
            let saved = try await post("/admin/tables/orders", "description=All+orders&sync_schedule=every+6h")
            #expect(saved.location.contains("notice=Saved orders"), "\(saved.location)")
            let registry = try await client.send(.get, "/api/admin/registry", token: admin)
            #expect(registry.text.contains(#""description":"All orders""#) && registry.text.contains(#""sync_schedule":"every 6h""#))
            #expect(try await pages.page(client, .get, "/admin/tables/orders", cookie: admin).body.contains("All orders"))

            // Analysts are refused every form, and nothing changes.
            for (path, form) in [("/admin/sources", "name=x&type=files&config=%7B%7D"), ("/admin/sources/shop/test", ""), ("/admin/tables", "name=x"),
                                 ("/admin/tables/orders", "description=mine"), ("/admin/tables/orders/unregister", "")] {
                #expect(try await post(path, form, as: ana.token).status == .forbidden, "\(path)")
            }
            #expect(try await pages.page(client, .get, "/admin/tables/orders", cookie: ana.token).status == .forbidden)

            let gone = try await post("/admin/tables/orders/unregister", "")
            #expect(gone.location.contains("notice=Unregistered orders"), "\(gone.location)")
            #expect(!(try await client.send(.get, "/api/admin/registry", token: admin).text.contains(#""id":"orders""#)))
        }
    }
}
