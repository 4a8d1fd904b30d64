// The name each MCP client gave at `initialize` (`Claude Code`, `mcp`), remembered per credential so that the audit
// entries of its later, stateless tool calls can name it. Bounded: the oldest names go first.
import Foundation
import Synchronization

final class MCPClientNames: Sendable {
    private struct Names {
        var byCredential: [String: String] = [:]
        var order: [String] = []
    }

    private let names = Mutex(Names())
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// Remembers `name` (cut to 100 printable characters) for `credential`.
    func remember(_ name: String, for credential: String) {
        let clean = String(name.unicodeScalars.filter { !$0.properties.generalCategory.isControl }.prefix(100).map(Character.init))
        guard !clean.isEmpty else { return }
        names.withLock { names in
            if names.byCredential.updateValue(clean, forKey: credential) == nil {
                names.order.append(credential)
                if names.order.count > capacity { names.byCredential[names.order.removeFirst()] = nil }
            }
        }
    }

    func name(for credential: String) -> String? {
        names.withLock { $0.byCredential[credential] }
    }
}

private extension Unicode.GeneralCategory {
    var isControl: Bool { self == .control || self == .format || self == .lineSeparator || self == .paragraphSeparator }
}
