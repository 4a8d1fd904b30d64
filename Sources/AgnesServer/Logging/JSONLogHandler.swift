// A swift-log handler writing one JSON object per line to standard error, for production log collectors.
import AgnesCore
import Foundation
import Logging

/// Writes `{"ts":…,"level":…,"logger":…,"msg":…, <metadata>}` lines. Metadata values are strings; keys are sorted.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let sink: @Sendable (String) -> Void

    /// A handler for `label` writing to standard error (or to `sink`, for tests).
    public init(label: String, sink: (@Sendable (String) -> Void)? = nil) {
        self.label = label
        self.sink = sink ?? { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadata { fields[key] = Self.render(value) }
        for (key, value) in event.metadata ?? [:] { fields[key] = Self.render(value) }
        fields["ts"] = Self.timestamp()
        fields["level"] = event.level.rawValue
        fields["logger"] = label
        fields["msg"] = event.message.description
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(fields) else { return }
        sink(String(decoding: data, as: UTF8.self))
    }

    private static func render(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case let .string(text): text
        case let .stringConvertible(convertible): convertible.description
        case let .array(values): "[" + values.map(render).joined(separator: ", ") + "]"
        case let .dictionary(values): "{" + values.keys.sorted().map { "\($0): \(render(values[$0]!))" }.joined(separator: ", ") + "}"
        }
    }

    /// The time of a line, written by hand: a new `ISO8601DateFormatter` per line cost microseconds each, and loaded
    /// ICU's locale and time-zone data into a server that needs none of it (about 3 MiB resident).
    private static func timestamp() -> String { UTCTimestamp.formatMilliseconds(Date()) }
}

/// How agnes-server writes its log.
public enum LogFormat: String, Sendable, CaseIterable {
    /// Human-readable lines (swift-log's default format, `TextLogHandler`), for terminals.
    case text
    /// One JSON object per line, for log collectors.
    case json

    /// Installs the process-wide log handler for this format at `level`; call once at start-up.
    public func bootstrap(level: Logger.Level = .info) {
        switch self {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = TextLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
