// The CLI's settings resolution (as upstream: env server beats config.yaml; token.json beats AGNES_TOKEN) and its
// output formats (RFC 4180 CSV, JSON objects, tables that fit the terminal).
@testable import AgnesClient
import DuckDB
import Foundation
import Testing

@Suite("client settings and output")
struct ClientTests {
    @Test("server and token resolution; token.json is mode 600 and written atomically")
    func settings() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-client-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = ["AGNES_CONFIG_DIR": directory.path, "AGNES_TOKEN": "from-env", "HOME": "/nonexistent"]
        var settings = ClientSettings.load(environment: environment)
        #expect(settings.serverURL == "http://localhost:8000" && settings.token == "from-env")
        try settings.saveServer("https://agnes.example.com/")
        try settings.saveToken("from-file", email: "ana@example.com")
        settings = ClientSettings.load(environment: environment)
        #expect(settings.serverURL == "https://agnes.example.com" && settings.token == "from-file")
        let mode = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("token.json").path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        environment["AGNES_SERVER"] = "http://other:9000"
        #expect(ClientSettings.load(environment: environment).serverURL == "http://other:9000")
        #expect(try settings.removeToken())
        environment["AGNES_TOKEN"] = ""
        #expect(ClientSettings.load(environment: environment).token == nil)
    }

    @Test("CSV quotes as RFC 4180; JSON keeps types; a wide table turns vertical")
    func formats() {
        let rows: [[DuckDBValue]] = [[.int64(1), .string("a,b"), .null], [.int64(2), .string("say \"hi\"\nbye"), .bool(true)]]
        #expect(ResultFormatter.render(columns: ["id", "text", "flag"], rows: rows, format: .csv)
            == "id,text,flag\r\n1,\"a,b\",\r\n2,\"say \"\"hi\"\"\nbye\",true\r\n")
        #expect(ResultFormatter.render(columns: ["id", "text", "flag"], rows: rows, format: .json)
            == "[{\"id\":1,\"text\":\"a,b\",\"flag\":null},\n{\"id\":2,\"text\":\"say \\\"hi\\\"\\nbye\",\"flag\":true}]\n")
        #expect(ResultFormatter.render(columns: ["id"], rows: [[.int64(7)]], format: .ndjson) == "{\"id\":7}\n")
        let narrow = ResultFormatter.render(columns: ["id", "text"], rows: [[.int64(1), .string("x")]], format: .table, width: 80)
        #expect(narrow == "id | text\n---+-----\n1  | x   \n(1 row)\n")
        let wide = ResultFormatter.render(columns: ["id", "text"], rows: [[.int64(1), .string(String(repeating: "y", count: 50))]], format: .table, width: 20)
        #expect(wide.hasPrefix("-[ row 1 ]-\nid   | 1\ntext | yyyy"))
    }
}
