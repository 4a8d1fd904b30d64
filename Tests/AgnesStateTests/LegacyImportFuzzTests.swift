// The legacy JSON importer under mutated files: each iteration breaks one file of a valid legacy directory in one to
// four places. The importer answers a report or a `StateError` that names the file (never another error, never a
// trap); a dry run and a real import agree; a real import that fails leaves the state exactly as it was.
import AgnesState
import AgnesTestSupport
import Foundation
import Testing

@Suite("legacy import fuzzing")
struct LegacyImportFuzzTests {
    static let files = ["auth/users.json", "table_registry.json", "src_data/metadata/sync_state.json", "src_data/metadata/profiles.json",
                        "corporate-memory/knowledge.json", "corporate-memory/votes.json", "notifications/telegram_users.json",
                        "notifications/sync_settings.json"]
    static let dictionary = ["{", "}", "[", "]", "\"", ":", ",", "null", "true", "1e999", "-1", "\"\"", "\"id\"", "\"email\"", "\"role\": \"admin\"",
                             "\"created_at\": \"2026-13-45\"", "\"vote\": 7", "\\u0000", "\\ud800", "[[[[", "\"a1\""]

    @Test("a report or an error naming the file; dry run and import agree; a failed import changes nothing")
    func mutatedFiles() async throws {
        try await withDataDirectory { directory in
            let legacy = directory.appendingPathComponent("legacy"), data = directory.appendingPathComponent("data")
            try writeLegacyFixture(to: legacy)
            let originals = try Dictionary(uniqueKeysWithValues: Self.files.map { ($0, try String(contentsOf: legacy.appendingPathComponent($0), encoding: .utf8)) })
            let store = try StateStore.open(dataDirectory: data)
            _ = try await UsersRepository(store: store).create(email: "existing@acme.com")
            try await store.close()
            let outcome = try await offTheCooperativePool {
                var imports = 0
                defer { print(#"{"fuzzer":"legacy-json","real_imports":\#(imports)}"#) }
                return try Fuzz.run("legacy-json", minimum: 20) { random, _ in
                    let file = random.pick(Self.files)
                    let text = Fuzz.mutate(originals[file]!, &random, dictionary: Self.dictionary, other: originals[random.pick(Self.files)])
                    for (name, original) in originals { try Data((name == file ? text : original).utf8).write(to: legacy.appendingPathComponent(name)) }
                    let dryRun = Result { try StateMaintenance(dataDirectory: data).importLegacy(from: legacy, dryRun: true) }
                    if case let .failure(error) = dryRun {
                        guard let stateError = error as? StateError, stateError.description.contains(file) || stateError.description.contains("table ids") else {
                            return "\(file) → \(type(of: error)) \(error) for:\n\(text)"
                        }
                    }
                    // A real import now and then (they cost a backup and a transaction): the same verdict, or nothing changed.
                    guard random.oneIn(8) else { return nil }
                    imports += 1
                    let before = (try? tableCounts(data)) ?? [:]
                    let real = Result { try StateMaintenance(dataDirectory: data).importLegacy(from: legacy) }
                    switch (dryRun, real) {
                    case (.success, .success): return nil
                    case let (.failure(expected), .failure(error)):
                        guard (try? tableCounts(data)) == before else { return "\(file): the failed import changed the state" }
                        return "\(expected)" == "\(error)" ? nil : "\(file): the dry run said \(expected), the import \(error)"
                    default:
                        return "\(file): the dry run said \(dryRun), the import \(real), for:\n\(text)"
                    }
                }
            }
            #expect(outcome.failure == nil, "\(outcome.failure ?? "")")
        }
    }

    @Test("regression: a timestamp before year 1 or after 9999 is refused with its field named, not a trap")
    func farDates() async throws {
        try await withDataDirectory { directory in
            let legacy = directory.appendingPathComponent("legacy"), data = directory.appendingPathComponent("data")
            try writeLegacyFixture(to: legacy)
            for date in ["99999999999999999999-01-01T00:00:00Z", "-99999999-01-01", "10000-01-01T00:00:00Z", "0000-12-31"] {
                try Data(#"[{"id": "orders", "name": "Orders", "registered_at": "\#(date)"}]"#.utf8).write(to: legacy.appendingPathComponent("table_registry.json"))
                let error = #expect(throws: StateError.self) { try StateMaintenance(dataDirectory: data).importLegacy(from: legacy, dryRun: true) }
                #expect(error?.description.contains("registered_at is not a date") == true, "\(date): \(String(describing: error))")
            }
        }
    }
}
