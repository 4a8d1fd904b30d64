// Text and JSON log lines, and GET /api/version.
@testable import AgnesServer
import AgnesState
import Foundation
import HummingbirdTesting
import Logging
import Testing

/// Collects log lines written by a handler.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []
    func append(_ line: String) { lock.withLock { collected.append(line) } }
    var lines: [String] { lock.withLock { collected } }
}

@Suite("logging and version")
struct LoggingAndVersionTests {
    @Test("the JSON log handler writes one parseable object per line with level, message and metadata")
    func jsonLines() throws {
        let collector = LineCollector()
        var logger = Logger(label: "agnes-test") { JSONLogHandler(label: $0, sink: collector.append) }
        logger[metadataKey: "request_id"] = "r-1"
        logger.info("table \"orders\" synced", metadata: ["rows": "42"])
        logger.debug("not shown at info level")
        #expect(collector.lines.count == 1)
        let object = try JSONSerialization.jsonObject(with: Data(collector.lines[0].utf8)) as? [String: String]
        #expect(object?["level"] == "info" && object?["msg"] == "table \"orders\" synced")
        #expect(object?["request_id"] == "r-1" && object?["rows"] == "42" && object?["logger"] == "agnes-test")
        // The time of the line, in UTC to the millisecond, as ISO8601DateFormatter reads it.
        let reader = ISO8601DateFormatter()
        reader.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let time = try #require(object?["ts"].flatMap(reader.date(from:)), "\(object?["ts"] ?? "no ts")")
        #expect(abs(time.timeIntervalSinceNow) < 60 && object?["ts"]?.count == 24)
    }

    @Test("the text log handler writes swift-log's line: time, level, label, sorted metadata, source, message")
    func textLines() throws {
        let collector = LineCollector()
        var logger = Logger(label: "agnes-test") { TextLogHandler(label: $0, metadataProvider: nil, sink: collector.append) }
        logger[metadataKey: "request_id"] = "r-1"
        logger[metadataKey: "request_id"] = "r-2"
        logger.info("table orders synced", metadata: ["rows": "42"])
        logger.debug("not shown at info level")
        #expect(collector.lines.count == 1)
        let line = try #require(collector.lines.first)
        let pattern = #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4} info agnes-test: request_id=r-2 rows=42 \[AgnesServerTests\] table orders synced\n$/#
        #expect(line.wholeMatch(of: pattern) != nil, "\(line.debugDescription)")
        Logger(label: "bare") { TextLogHandler(label: $0, metadataProvider: nil, sink: collector.append) }.warning("plain")
        #expect(collector.lines.last?.hasSuffix(" warning bare: [AgnesServerTests] plain\n") == true, "\(collector.lines.last ?? "")")
    }

    @Test("GET /api/version reports the build and the schema version")
    func version() async throws {
        try await TestServer.run { _, client in
            try await client.execute(uri: "/api/version", method: .get) { response in
                #expect(response.status == .ok)
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(object?["schema_version"] as? Int == StateSchema.migrator.latestVersion)
                #expect(object?["channel"] as? String != nil && object?["commit_sha"] as? String != nil)
            }
        }
    }
}
