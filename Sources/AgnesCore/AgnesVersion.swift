// The version of Agnes, shared by the server, the CLI and their wire types.

/// Version information for Agnes builds.
public enum AgnesVersion {
    /// The Agnes release this build belongs to (semantic versioning).
    public static let current = "0.1.0-dev"
}
