// How one process learns that another changed the shared state: every write transaction on PostgreSQL sends
// `NOTIFY agnes_state` (delivered when it commits), and every process listens on a connection of its own and moves
// its store's generation on, which makes every `StateCache` entry stale. A revoked token, a new grant, a changed
// policy therefore reach every replica within the notification's trip — milliseconds on a LAN.
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// Listens for other processes' writes and calls `changed` for each (and after every reconnection, since
/// notifications sent while it was away are lost).
final class StateWriteListener: Sendable {
    /// The notification channel.
    static let channel = "agnes_state"

    private let task = Mutex<Task<Void, Never>?>(nil)

    init(location: StateLocation.PostgreSQL, logger: Logger, changed: @escaping @Sendable () -> Void) {
        let loop = Task.detached {
            var reconnecting = false
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresConnection.connect(configuration: try location.configuration(), id: 0, logger: logger)
                    await withTaskCancellationHandler {
                        do {
                            try await connection.listen(on: Self.channel) { notifications in
                                // After a lost connection, anything written between the last notification seen and
                                // this LISTEN is unknown. (At first, the store has just been opened: nothing is cached.)
                                if reconnecting { changed() }
                                for try await _ in notifications { changed() }
                            }
                        } catch {
                            if !Task.isCancelled { logger.warning("state change listener lost its connection: \(error); reconnecting") }
                        }
                    } onCancel: {
                        connection.close().whenComplete { _ in }
                    }
                    try? await connection.close()
                } catch {
                    if !Task.isCancelled { logger.warning("state change listener cannot connect: \(error); retrying in a second") }
                }
                changed()
                reconnecting = true
                try? await Task.sleep(for: .seconds(1))
            }
        }
        task.withLock { $0 = loop }
    }

    /// Stops listening and waits for the connection to close.
    func stop() async {
        guard let loop = task.withLock({ $0 }) else { return }
        loop.cancel()
        await loop.value
    }
}
