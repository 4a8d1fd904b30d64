// The JSON Schemas read off the wire types: keys, optionality, nesting, enumerations and dictionaries as the types
// decode them.
import AgnesAPI
import Foundation
import Testing

@Suite("wire schemas")
struct WireSchemaTests {
    @Test("a struct is a named object with its required and nullable keys; arrays, dictionaries and enums nest")
    func catalog() throws {
        var builder = JSONSchemaBuilder()
        #expect(builder.schema(of: Catalog.self) == ["$ref": "#/components/schemas/Catalog"])
        let catalog = try #require(builder.components["Catalog"])
        #expect(catalog["properties"]?["tables"] == ["type": "array", "items": ["$ref": "#/components/schemas/CatalogEntry"]])
        #expect(catalog["required"] == ["tables", "server_time"])
        let entry = try #require(builder.components["CatalogEntry"])
        #expect(entry["properties"]?["rows"] == ["anyOf": [["type": "integer"], ["type": "null"]]])
        #expect(entry["properties"]?["updated"] == ["anyOf": [["type": "string", "format": "date-time"], ["type": "null"]]])
        _ = builder.schema(of: Manifest.self)
        #expect(builder.components["Manifest"]?["properties"]?["tables"] == ["type": "object", "additionalProperties": ["$ref": "#/components/schemas/ManifestTable"]])
        _ = builder.schema(of: RegistryList.self)
        let table = try #require(builder.components["RegistryEntry"])
        #expect(table["properties"]?["query_mode"] == ["type": "string", "enum": ["local", "materialized", "remote"]])
        #expect(table["properties"]?["last_sync_error"] != nil && table["properties"]?["id"] == ["type": "string"])
    }
}
