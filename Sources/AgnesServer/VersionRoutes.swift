// `GET /api/version`: which build is running, as upstream reports it.
import AgnesCore
import AgnesState
import Foundation
import Hummingbird

/// The body of `GET /api/version`.
struct VersionInfo: ResponseEncodable, Equatable {
    let version: String
    let channel: String
    let imageTag: String
    let commitSha: String
    let schemaVersion: Int
    let deployedAt: String?

    enum CodingKeys: String, CodingKey {
        case version, channel
        case imageTag = "image_tag"
        case commitSha = "commit_sha"
        case schemaVersion = "schema_version"
        case deployedAt = "deployed_at"
    }

    /// Build facts from the deployment's environment (`AGNES_VERSION`, `RELEASE_CHANNEL`, `AGNES_TAG`,
    /// `AGNES_COMMIT_SHA`, `AGNES_DEPLOYED_AT`), defaulting as upstream does.
    static func current(environment: [String: String]) -> VersionInfo {
        VersionInfo(version: environment["AGNES_VERSION"] ?? AgnesVersion.current, channel: environment["RELEASE_CHANNEL"] ?? "dev",
                    imageTag: environment["AGNES_TAG"] ?? "unknown", commitSha: environment["AGNES_COMMIT_SHA"] ?? "unknown",
                    schemaVersion: StateSchema.migrator.latestVersion, deployedAt: environment["AGNES_DEPLOYED_AT"])
    }
}

enum VersionRoutes {
    static func register(on router: Router<some RequestContext>, environment: [String: String]) {
        let info = VersionInfo.current(environment: environment)
        router.get("/api/version") { _, _ in info }
    }
}
