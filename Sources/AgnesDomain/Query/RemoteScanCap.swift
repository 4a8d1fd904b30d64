// The remote scan cap (upstream's `remote_scan_too_large`): a query that names remote tables whose sources say they
// hold more than `query.remote_max_scan_bytes` together is refused before anything is read, with the tables to
// snapshot instead. The figure is the tables' size at the source — what the source reads to answer a query that cannot
// use an index — so, like upstream's dry run, it does not shrink with a WHERE. Tables whose source cannot tell (views,
// `source_query` tables) add nothing. `from_query` snapshots are not capped (upstream neither): they are the way out.
import AgnesAPI
import AgnesData
import Foundation

struct RemoteScanCap {
    let domain: Domain

    /// Throws 400 with a `RemoteScanTooLarge` detail when the remote tables among `tables` hold more than the limit;
    /// `policied` are the tables the caller reads through an access policy (their sizes are never shown to them).
    func check(_ tables: Set<String>, on engine: QueryEngine, policied: [String]) async throws {
        let limit = domain.settings.queryLimits.maximumRemoteScanBytes
        let remote = tables.filter { if case .remote? = engine.tables[$0]?.rows { true } else { false } }.sorted()
        guard limit > 0, !remote.isEmpty else { return }
        let registry = try await domain.catalogSnapshot().tables.filter { remote.contains($0.id) }
        var bytes: Int64 = 0
        for table in registry {
            do {
                bytes += try await engine.remoteSize(of: table)?.bytes ?? 0
            } catch {
                // The query itself will say what is wrong with the source; the cap cannot tell, so it does not refuse.
                domain.logger.info("remote table size unknown", metadata: ["table": .string(table.id), "error": .string(String(describing: error))])
            }
        }
        guard bytes > limit else { return }
        let showsFigure = Set(policied).isDisjoint(with: remote)
        let first = remote[0]
        let refusal = RemoteScanTooLarge(
            scanBytes: showsFigure ? bytes : nil, limitBytes: limit, tables: remote, viewTargets: remote,
            suggestion: "snapshot the rows you need and query them locally: `agnes snapshot create \(first) --select … --where '…'`, "
                + "or `agnes query --remote --auto-snapshot` to snapshot \(remote.count == 1 ? "the table" : "each table") whole")
        var error = ServiceError.badRequest(refusal.description)
        error.structuredDetail = try JSONCoding.decoder.decode(JSONValue.self, from: JSONCoding.encoder.encode(refusal))
        throw error
    }
}
