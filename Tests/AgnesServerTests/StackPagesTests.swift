// The `/stack` page: a granted package shows as a card with its tables, subscribe and leave work through the form
// (with its CSRF token), a required package offers neither, and a package no group of the user holds is not shown.
@testable import AgnesServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("stack pages")
struct StackPagesTests {
    @Test("cards of granted packages only; subscribe and leave by form; a required one cannot be left")
    func cards() async throws {
        try await TestServer.run { _, client in
            let admin = try await client.adminToken()
            let ana = try await MemoryRoutesTests.user("ana@example.com", group: "Sales team", client, admin: admin)
            let team = try #require(try await client.send(.get, "/api/admin/groups", token: admin).array.first { $0["name"] as? String == "Sales team" }?["id"] as? String)
            var ids: [String: String] = [:]
            for (name, color) in [("Sales", "#2f6fdf"), ("Finance", "red\" onload=\"x"), ("Secret HR", "teal")] {
                let id = try #require(try await client.send(.post, "/api/admin/data-packages", json: ["name": name, "color": color], token: admin).string("id"))
                ids[name] = id
            }
            for (name, requirement) in [("Sales", "available"), ("Finance", "required")] {
                #expect(try await client.send(.post, "/api/admin/grants", json: ["group_id": team, "resource_type": "data_package", "resource_id": ids[name]!,
                                                                                 "requirement": requirement], token: admin).status == .created)
            }
            let web = WebPagesTests()
            let page = try await web.page(client, .get, "/stack", cookie: ana.token)
            #expect(page.status == .ok)
            #expect(page.body.contains(#"data-package="sales""#) && page.body.contains(#"data-package="finance""#))
            #expect(!page.body.contains("Secret HR") && !page.body.contains("secret-hr"))
            #expect(page.body.contains("border-top:4px solid #2f6fdf") && !page.body.contains("onload"))
            #expect(page.body.contains("/stack/data_package/\(ids["Sales"]!)/subscribe"))
            #expect(!page.body.contains("/stack/data_package/\(ids["Finance"]!)/subscribe") && !page.body.contains("/stack/data_package/\(ids["Finance"]!)/unsubscribe"))
            let csrf = try #require(WebPagesTests.csrf(in: page.body))

            #expect(try await web.page(client, .post, "/stack/data_package/\(ids["Sales"]!)/subscribe", cookie: ana.token).status == .forbidden)
            let subscribed = try await web.page(client, .post, "/stack/data_package/\(ids["Sales"]!)/subscribe", cookie: ana.token, form: "csrf=\(csrf)")
            #expect(subscribed.status == .seeOther && subscribed.headers[.location]?.hasPrefix("/stack?notice=Subscribed") == true)
            let after = try await web.page(client, .get, "/stack", cookie: ana.token)
            #expect(after.body.contains("/stack/data_package/\(ids["Sales"]!)/unsubscribe"))
            let stack = try await client.send(.get, "/api/stack?type=data_package", token: ana.token)
            #expect((stack.object["items"] as? [[String: Any]])?.first { $0["slug"] as? String == "sales" }?["materialized"] as? Bool == true)
            let refused = try await web.page(client, .post, "/stack/data_package/\(ids["Secret HR"]!)/subscribe", cookie: ana.token, form: "csrf=\(csrf)")
            #expect(refused.headers[.location]?.contains("error=None%20of%20your%20groups") == true)
            let left = try await web.page(client, .post, "/stack/data_package/\(ids["Sales"]!)/unsubscribe", cookie: ana.token, form: "csrf=\(csrf)")
            #expect(left.headers[.location]?.hasPrefix("/stack?notice=Left") == true)
        }
    }
}
