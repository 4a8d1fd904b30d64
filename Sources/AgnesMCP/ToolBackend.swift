// What the shared MCP tools need from Agnes, as typed wire values: the server answers them from its use cases (with the
// caller's grants, policies, caps and audit), `agnes mcp` from the REST API with the workspace's token. A backend
// reports a refusal as `ToolError` with the server's detail; the tool turns it into a tool error the model can read.
import AgnesAPI
import Foundation

/// The operations behind the shared tools.
public protocol AgnesToolBackend: Sendable {
    /// Who is calling and which server answers.
    func serverInfo() async throws -> AgnesServerInfo
    /// Every table the caller may read.
    func catalog() async throws -> Catalog
    /// The columns of one readable table.
    func schema(_ table: String) async throws -> TableSchema
    /// Up to `rows` rows of one readable table (through the caller's policies).
    func sample(_ table: String, rows: Int) async throws -> TableSample
    /// One guarded read-only query on the server.
    func query(_ sql: String, limit: Int) async throws -> QueryResult
    /// The rows `sql` returns in all (a guarded `count(*)` over it), to say how much a cut result left out.
    func countRows(_ sql: String) async throws -> Int64
    /// Everything readable matching `text` (memory, metrics, glossary, models, tables, columns; `types` empty: all), best first.
    func searchKnowledge(_ text: String, types: [KnowledgeKind], limit: Int) async throws -> KnowledgeSearchResults
    /// Glossary terms matching `text`.
    func searchGlossary(_ text: String) async throws -> [GlossaryTerm]
    /// Readable semantic models matching `text`.
    func searchSemanticModels(_ text: String) async throws -> SemanticModelList
    /// A readable semantic model's YAML document.
    func semanticModelDocument(_ slug: String) async throws -> String
    /// Checks a statement against the readable semantic models.
    func validateQuery(_ request: ValidateQueryRequest) async throws -> QueryValidation
    /// What a scan of a slice of a table would read and return.
    func estimateScan(_ request: ScanRequest) async throws -> ScanEstimate
    /// The metric definitions, optionally of one category.
    func metrics(category: String?) async throws -> MetricList
    /// One metric definition.
    func metric(_ id: String) async throws -> MetricDefinition
    /// The mandatory and approved items of corporate memory, as a workspace's rules.
    func memoryRules() async throws -> MemoryBundle
    /// Proposes an item to corporate memory.
    func propose(_ draft: KnowledgeDraftRequest) async throws -> KnowledgeListing
    /// Every data package or memory domain the caller's groups are granted.
    func browseStack(_ type: StackItemType) async throws -> StackListing
    /// Takes an available package or domain (by id or slug) into the caller's stack.
    func subscribe(_ type: StackItemType, _ id: String) async throws
}

/// What `server_info` reports.
public struct AgnesServerInfo: Codable, Sendable, Equatable {
    public var server: String
    public var serverURL: String
    public var serverVersion: String
    public var userEmail: String
    public var isAdmin: Bool
    public var groups: [String]
    /// `full`, or `workspace` for a credential made for an agent (reads through access policies even as an administrator).
    public var credential: String
    /// `stdio` (`agnes mcp`) or `http` (the server's endpoint).
    public var transport: String

    public init(serverURL: String, serverVersion: String, userEmail: String, isAdmin: Bool, groups: [String], credential: String,
                transport: String) {
        server = "agnes"
        self.serverURL = serverURL
        self.serverVersion = serverVersion
        self.userEmail = userEmail
        self.isAdmin = isAdmin
        self.groups = groups
        self.credential = credential
        self.transport = transport
    }

    enum CodingKeys: String, CodingKey {
        case server, groups, credential, transport
        case serverURL = "server_url"
        case serverVersion = "server_version"
        case userEmail = "user_email"
        case isAdmin = "is_admin"
    }
}

/// A refusal or failure a tool reports to the model (an MCP tool error, not a protocol error).
public struct ToolError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
