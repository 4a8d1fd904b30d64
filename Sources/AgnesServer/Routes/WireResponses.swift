// The wire types a route returns as they are, encoded with the API's JSON coder (`AgnesRequestContext.responseEncoder`).
import AgnesAPI
import AgnesDomain
import Foundation
import Hummingbird

extension Encodable {
    /// This value as a JSON response with `status` (for statuses other than 200).
    func jsonResponse(status: HTTPResponse.Status) throws -> Response {
        try JSONCoding.encoder.encode(self).response(status: status)
    }
}

extension CatalogTableList: ResponseEncodable {}
extension Catalog: ResponseEncodable {}
extension TableSchema: ResponseEncodable {}
extension TableSample: ResponseEncodable {}
extension ScanEstimate: ResponseEncodable {}
extension PolicyPreview: ResponseEncodable {}
extension CompiledPolicy: ResponseEncodable {}
extension TablePrecheck: ResponseEncodable {}
extension SyncTriggerResponse: ResponseEncodable {}
extension SyncRunStatus: ResponseEncodable {}
extension Job: ResponseEncodable {}
extension JobList: ResponseEncodable {}
extension SyncHistoryEntry: ResponseEncodable {}
extension CatalogProfile: ResponseEncodable {}
extension KnowledgeListing: ResponseEncodable {}
extension MemoryPage: ResponseEncodable {}
extension MemoryStats: ResponseEncodable {}
extension ReviewQueuePage: ResponseEncodable {}
extension VoteResult: ResponseEncodable {}
extension ReviewResult: ResponseEncodable {}
extension UserInfo: ResponseEncodable {}
extension PasswordResetLink: ResponseEncodable {}
extension GroupInfo: ResponseEncodable {}
extension GroupMember: ResponseEncodable {}
extension GrantInfo: ResponseEncodable {}
extension ResourceTypeInfo: ResponseEncodable {}
extension UserMembership: ResponseEncodable {}
extension EffectiveAccess: ResponseEncodable {}
extension TokenInfo: ResponseEncodable {}
extension RegistryList: ResponseEncodable {}
extension TableUpdated: ResponseEncodable {}
extension SourceInfo: ResponseEncodable {}
extension SourceTestResult: ResponseEncodable {}
extension SourceConnection: ResponseEncodable {}
extension JiraWebhookReceipt: ResponseEncodable {}
extension SourceTableListing: ResponseEncodable {}
extension MetricList: ResponseEncodable {}
extension MetricDefinition: ResponseEncodable {}
extension MetricDeleted: ResponseEncodable {}
extension MetricsImported: ResponseEncodable {}
extension MetricFiles: ResponseEncodable {}
extension MetricValidation: ResponseEncodable {}
extension AuditTrailPage: ResponseEncodable {}
extension TextContent: ResponseEncodable {}
extension WelcomeTemplate: ResponseEncodable {}
extension SessionUploaded: ResponseEncodable {}
extension NotesUploaded: ResponseEncodable {}
extension UploadList: ResponseEncodable {}
extension MCPClientInfo: ResponseEncodable {}
extension MCPClientRevoked: ResponseEncodable {}
extension DataPackage: ResponseEncodable {}
extension DataPackageList: ResponseEncodable {}
extension MemoryDomain: ResponseEncodable {}
extension MemoryDomainList: ResponseEncodable {}
extension PackageMemberAdded: ResponseEncodable {}
extension StackListing: ResponseEncodable {}
extension StackSubscribed: ResponseEncodable {}
extension GlossaryTerm: ResponseEncodable {}
extension GlossaryList: ResponseEncodable {}
extension GlossarySearch: ResponseEncodable {}
extension GlossaryImported: ResponseEncodable {}
extension SemanticModel: ResponseEncodable {}
extension SemanticModelList: ResponseEncodable {}
extension QueryValidation: ResponseEncodable {}
extension KnowledgeSearchResults: ResponseEncodable {}
extension ColumnDescribed: ResponseEncodable {}
extension PullConfirmed: ResponseEncodable {}
extension UsageReport: ResponseEncodable {}
