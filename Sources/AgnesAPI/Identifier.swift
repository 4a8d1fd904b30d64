// Ids of new rows, made the same way everywhere.
import Foundation

/// Ids of new rows.
public enum Identifier {
    /// A new random id (UUID v4, lower-case).
    public static func make() -> String { UUID().uuidString.lowercased() }
}
