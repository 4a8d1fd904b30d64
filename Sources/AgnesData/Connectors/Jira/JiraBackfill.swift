// The issues that exist before webhooks start: Jira Cloud's REST search (`GET /rest/api/3/search/jql` with `jql`,
// `fields`, `maxResults` and `nextPageToken` paging; basic authentication with an account's email and API token),
// turned into `issues` rows as a webhook event would be, and written to the source's backfill file (through a
// temporary name, replaced whole).
import AsyncHTTPClient
import Foundation
import NIOCore

struct JiraBackfill {
    let configuration: JiraConnector.Configuration
    let environment: [String: String]
    /// Pages at most (100 issues each).
    static let maximumPages = 10_000

    func run(into file: URL) async throws {
        guard let site = configuration.siteUrl, let jql = configuration.backfillJql, let email = configuration.email,
              let variable = configuration.tokenEnv else {
            throw ConnectorError("jira: a backfill needs site_url, email, token_env and backfill_jql")
        }
        guard let token = environment[variable], !token.isEmpty else { throw ConnectorError("jira: the environment variable \(variable) (token_env) is not set") }
        let credentials = Data("\(email):\(token)".utf8).base64EncodedString()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var lines = Data(), nextPage: String?, pages = 0
        repeat {
            var components = URLComponents(string: site.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/rest/api/3/search/jql")!
            components.queryItems = [URLQueryItem(name: "jql", value: jql), URLQueryItem(name: "maxResults", value: "100"),
                                     URLQueryItem(name: "fields", value: "summary,status,priority,assignee,reporter,issuetype,project,created,updated")]
                + (nextPage.map { [URLQueryItem(name: "nextPageToken", value: $0)] } ?? [])
            var request = HTTPClientRequest(url: components.url!.absoluteString)
            request.headers.add(name: "Authorization", value: "Basic \(credentials)")
            request.headers.add(name: "Accept", value: "application/json")
            let body: ByteBuffer, status: UInt
            do {
                let response = try await ConnectorHTTP.client.execute(request, timeout: .seconds(60))
                status = response.status.code
                body = try await response.body.collect(upTo: 32 << 20)
            } catch {
                throw ConnectorError("jira: \(components.host ?? "the site") cannot be reached (\(error))")
            }
            guard status == 200 else { throw ConnectorError("jira: the issue search answered HTTP \(status)\(status == 401 ? " (the API token is refused)" : "")") }
            guard let page = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
                  let issues = page["issues"] as? [[String: Any]] else {
                throw ConnectorError("jira: the issue search did not answer a page of issues")
            }
            for issue in issues {
                let event = try JSONSerialization.data(withJSONObject: ["webhookEvent": "backfill", "issue": issue])
                for row in try JiraEvent.parse(event).rows.issues { lines += try encoder.encode(row) + Data("\n".utf8) }
            }
            nextPage = (page["isLast"] as? Bool) == true ? nil : (page["nextPageToken"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            pages += 1
            guard pages < Self.maximumPages else { throw ConnectorError("jira: the issue search did not end after \(Self.maximumPages) pages") }
        } while nextPage != nil
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try lines.write(to: file, options: .atomic)
    }
}
