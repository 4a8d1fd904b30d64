// Benchmark: the manifest of an analyst whose stack holds 20 data packages of 50 tables each (1,000 tables, half the
// packages subscribed), built by `ManifestService` over a real state database (issue "Data packages" budget: p50 < 5 ms).
// The tables' sync states are recorded as a sync would record them (the manifest reads only the state database), so
// the figure is the manifest's own work: access, stack, entries, typed sections, encoding and ETag.
// - `manifest_packages_20x50_first`: the first call after start.
// - `manifest_packages_20x50_cached_p50`: the caller's body, kept until the next state write.
// - `manifest_packages_20x50_after_write_p50`: after an unrelated state write (every cache starts over).
// - `manifest_direct_1000_after_write_p50`: the same 1,000 tables granted one by one instead (no package), after a
//   write — what the manifest cost before packages, for comparison.
// Usage: DataPackageBenchmark
import AgnesAPI
import AgnesData
import AgnesDomain
import AgnesState
import Foundation
import Logging

func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
    fflush(nil)
}

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

func median(_ samples: [Double]) -> Double { samples.sorted()[samples.count / 2] }

func milliseconds(_ value: Double) -> Double { (value * 1000 * 1000).rounded() / 1000 }

func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let started = ContinuousClock.now
    let value = try await body()
    return (value, seconds(ContinuousClock.now - started))
}

let packageCount = 20, tablesPerPackage = 50
let root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-bench-packages-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: root) }
let data = root.appendingPathComponent("data")
try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)

let state = try StateStore.open(dataDirectory: data)
let registry = RegistryRepository(store: state), syncStates = SyncStateRepository(store: state)
let packages = DataPackagesRepository(store: state)
let user = try await UsersRepository(store: state).create(email: "bench@example.com")
let group = try await GroupsRepository(store: state).create(name: "analysts", createdBy: nil)
try await GroupsRepository(store: state).addMember(userId: user.id, groupId: group.id, source: .admin, addedBy: nil)
for index in 0..<packageCount {
    let package = try await packages.create(.dataPackage, PackageFields(slug: "package-\(index)", name: "Package \(index)"), by: nil)
    for table in 0..<tablesPerPackage {
        let id = "p\(index)_t\(table)"
        _ = try await registry.upsert(RegisteredTable(id: id, name: id, sourceName: "bench", sourceTable: "\(id).parquet"))
        let digest = String(repeating: String(format: "%02x", (index * tablesPerPackage + table) % 256), count: 32)
        try await syncStates.record(tableId: id, SyncResult(startedAt: Date(), finishedAt: Date(), trigger: "benchmark", outcome: .succeeded(
            rows: 10_000, bytes: 250_000, columns: 8, sha256: digest, md5: String(digest.prefix(32)), schemaHash: "s", files: nil)))
        _ = try await packages.add(.tables, owner: package, member: id, by: nil)
    }
    _ = try await GrantsRepository(store: state).grant(groupId: group.id, type: .dataPackage, resourceId: package, assignedBy: nil)
    if index.isMultiple(of: 2) {
        _ = try await StackRepository(store: state).subscribe(userId: user.id, StackSubscription(resourceType: .dataPackage, resourceId: package))
    }
}

let domain = Domain(settings: DomainSettings(dataDirectory: data, serverURL: "http://127.0.0.1"), state: state,
                    dataPlane: DataPlane(state: state, dataDirectory: data), mailer: LogMailer(logger: Logger(label: "bench")),
                    passwords: PasswordHasher(cost: 4), logger: Logger(label: "bench"))
let identity = Identity(user: user, kind: .session, groupIds: [group.id], isAdmin: false)
let tables = packageCount * tablesPerPackage
let (first, firstSeconds) = try await timed { try await domain.manifest.manifest(for: Caller(identity: identity)) }
let manifest = try JSONCoding.decoder.decode(Manifest.self, from: first.json())
precondition(manifest.tables.count == tables && manifest.dataPackages?.count == packageCount, "the manifest is not the one measured")
precondition(manifest.tables.values.filter(\.serverOnly).count == tables / 2, "half the tables are in packages not subscribed")
emit(["bench": "manifest_packages_20x50_first", "tables": tables, "bytes": first.json().count, "unit": "ms", "value": milliseconds(firstSeconds)])
var cached: [Double] = [], afterWrite: [Double] = []
for round in 0..<50 {
    cached.append(try await timed { try await domain.manifest.manifest(for: Caller(identity: identity)) }.1)
    _ = try await UsersRepository(store: state).update(id: user.id, name: "bench \(round)")
    afterWrite.append(try await timed { try await domain.manifest.manifest(for: Caller(identity: identity)) }.1)
}
emit(["bench": "manifest_packages_20x50_cached_p50", "tables": tables, "unit": "ms", "value": milliseconds(median(cached)), "budget_max": 5])
emit(["bench": "manifest_packages_20x50_after_write_p50", "tables": tables, "unit": "ms", "value": milliseconds(median(afterWrite))])

// The same tables, granted one by one to another user.
let direct = try await UsersRepository(store: state).create(email: "direct@example.com")
let directGroup = try await GroupsRepository(store: state).create(name: "direct", createdBy: nil)
try await GroupsRepository(store: state).addMember(userId: direct.id, groupId: directGroup.id, source: .admin, addedBy: nil)
for table in manifest.tables.keys { _ = try await GrantsRepository(store: state).grant(groupId: directGroup.id, type: .table, resourceId: table, assignedBy: nil) }
let directIdentity = Identity(user: direct, kind: .session, groupIds: [directGroup.id], isAdmin: false)
var directAfterWrite: [Double] = []
for round in 0..<50 {
    _ = try await UsersRepository(store: state).update(id: direct.id, name: "bench \(round)")
    directAfterWrite.append(try await timed { try await domain.manifest.manifest(for: Caller(identity: directIdentity)) }.1)
}
emit(["bench": "manifest_direct_1000_after_write_p50", "tables": tables, "unit": "ms", "value": milliseconds(median(directAfterWrite))])
try await state.close()
