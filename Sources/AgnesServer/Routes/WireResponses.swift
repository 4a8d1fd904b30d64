// The wire types a route returns as they are, encoded with the API's JSON coder (`AgnesRequestContext.responseEncoder`).
import AgnesAPI
import Hummingbird

extension CatalogTableList: ResponseEncodable {}
extension Catalog: ResponseEncodable {}
extension TableSchema: ResponseEncodable {}
extension TableSample: ResponseEncodable {}
extension ScanEstimate: ResponseEncodable {}
extension SyncTriggerResponse: ResponseEncodable {}
extension SyncRunStatus: ResponseEncodable {}
extension SyncHistoryEntry: ResponseEncodable {}
