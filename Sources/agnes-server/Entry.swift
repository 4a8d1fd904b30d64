// Where `agnes-server` starts: Swift concurrency's jobs are made to run on NIO's event loops before any task exists
// (so a request's handler runs on the thread that reads and writes its connection, with no hop between thread pools;
// blocking work — DuckDB, password hashing, files — has thread pools of its own), then the command line runs.
import Foundation
import NIOCore
import NIOPosix

@main
enum Entry {
    static func main() {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        Task {
            await AgnesServerCommand.main()
            exit(EXIT_SUCCESS)
        }
        dispatchMain()
    }
}
