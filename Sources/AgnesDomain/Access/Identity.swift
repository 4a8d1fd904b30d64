// Who is calling: a user, how they proved it, and the groups that decide what they may do.
import AgnesState
import Foundation

/// What a credential may be used for.
public enum CredentialSurface: String, Sendable {
    case full, workspace

    /// Token scopes that make a `workspace` credential.
    public static let workspaceScopes: Set<String> = ["workspace", "bootstrap-analyst"]

    /// The surface of a token with `scopes`.
    public init(scopes: [String]) {
        self = scopes.contains(where: Self.workspaceScopes.contains) ? .workspace : .full
    }
}

/// The authenticated caller of a request.
public struct Identity: Sendable, Equatable {
    /// How the caller authenticated.
    public enum Kind: String, Sendable {
        /// A session JWT from a login (CLI `auth login`, or the web cookie).
        case session
        /// A personal access token.
        case personalAccessToken = "pat"
        /// The scheduler token from `SCHEDULER_API_TOKEN`.
        case scheduler
        /// `LOCAL_DEV_MODE`: every request is the development user.
        case localDevelopment = "local_dev"
        /// An OAuth access token a user granted an MCP client (accepted by the MCP endpoint only).
        case mcpOAuth = "mcp_oauth"
    }

    public var user: User
    public var kind: Kind
    /// Ids of the groups the user belongs to.
    public var groupIds: Set<String>
    /// Member of `Admin` (or the scheduler).
    public var isAdmin: Bool
    /// The personal access token's id, for `kind == .personalAccessToken`.
    public var tokenId: String?
    /// Came in through the web cookie rather than an `Authorization` header.
    public var viaCookie: Bool = false
    /// What the credential was made for: a sign-in or a hand-made token is `full`; a token made for a workspace or an
    /// agent is `workspace`, and reads through access policies even for an administrator.
    public var surface: CredentialSurface = .full
    /// The MCP client an OAuth token was granted to (its registered name), for `kind == .mcpOAuth`.
    public var mcpClientName: String?

    /// An administrator acting with full credentials reads tables as they are; everyone else through their policies.
    public var bypassesPolicies: Bool { isAdmin && surface == .full }

    public init(user: User, kind: Kind, groupIds: Set<String>, isAdmin: Bool, tokenId: String? = nil, viaCookie: Bool = false) {
        self.user = user
        self.kind = kind
        self.groupIds = groupIds
        self.isAdmin = isAdmin
        self.tokenId = tokenId
        self.viaCookie = viaCookie
    }

    /// How the audit trail names the client: `cli` for tokens, `web` for the cookie, `scheduler`.
    public var clientKind: String {
        switch kind {
        case .personalAccessToken: "cli"
        case .scheduler: "scheduler"
        case .localDevelopment: "local_dev"
        case .mcpOAuth: "mcp"
        case .session: viaCookie ? "web" : "cli"
        }
    }

    /// The synthetic user the scheduler token stands for.
    public static let schedulerUser = User(id: "scheduler", email: "scheduler@system.local", name: "Scheduler", passwordHash: nil, active: true,
                                    deactivatedAt: nil, deactivatedBy: nil, createdAt: Date(timeIntervalSince1970: 0),
                                    updatedAt: Date(timeIntervalSince1970: 0), lastLoginAt: nil)
}
