// The human-readable log: the lines of swift-log's `StreamLogHandler` (`<time> <level> <label>: <key=value …>
// [<source>] <message>`), written to standard error. Unlike it, metadata is rendered when a line is written, not when
// it is set: every request sets a request id on its logger, and `StreamLogHandler` re-rendered all metadata each time
// (about 8 % of the server's time answering `GET /api/health`), for lines that are mostly never written.
import Foundation
import Logging

public struct TextLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: @Sendable (String) -> Void

    /// A handler for `label` writing to standard error (or to `sink`, for tests).
    public init(label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
                sink: (@Sendable (String) -> Void)? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.sink = sink ?? { line in FileHandle.standardError.write(Data(line.utf8)) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let explicit = event.metadata { all.merge(explicit) { $1 } }
        if let error = event.error {
            all["error.message"] = "\(error)"
            all["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        let rendered = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink("\(Self.timestamp()) \(event.level)\(label.isEmpty ? "" : " ")\(label):\(rendered) [\(event.source)] \(event.message)\n")
    }

    /// The local time as `2026-12-05T01:19:26+0000`.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        guard localtime_r(&now, &parts) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
