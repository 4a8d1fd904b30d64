// A real browser for web UI tests: Debian's Chromium (headless, started by `scripts/test-chromium`) driven over the
// DevTools protocol — navigate, fill and submit forms like a user, read the rendered DOM, take full-page screenshots.
import Foundation
import Logging
import WSClient

public struct BrowserError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public enum HeadlessBrowser {
    /// Starts Chromium, opens one page, runs `body` with it, and stops the browser (by its pid).
    public static func run(_ body: @escaping @Sendable (BrowserPage) async throws -> Void) async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let executable = try shell(root.appendingPathComponent("scripts/test-chromium").path).trimmingCharacters(in: .whitespacesAndNewlines)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: profile) }
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: executable)
        browser.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
                             "--disable-background-networking", "--remote-debugging-port=0", "--remote-allow-origins=*",
                             "--user-data-dir=\(profile.path)", "--window-size=1280,900", "about:blank"]
        browser.standardOutput = FileHandle.nullDevice
        browser.standardError = FileHandle.nullDevice
        try browser.run()
        defer {
            kill(browser.processIdentifier, SIGKILL)
            browser.waitUntilExit()
        }
        // Chromium writes the port it chose and the browser's WebSocket path into DevToolsActivePort.
        var socket: String?
        for _ in 0..<300 where socket == nil {
            let lines = ((try? String(contentsOf: profile.appendingPathComponent("DevToolsActivePort"), encoding: .utf8)) ?? "").split(separator: "\n")
            if lines.count >= 2, let port = Int(lines[0]) {
                socket = "ws://127.0.0.1:\(port)\(lines[1])"
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        guard let socket else { throw BrowserError("Chromium did not open its DevTools port") }
        let failure = ErrorBox()
        try await WebSocketClient.connect(url: socket, configuration: .init(maxFrameSize: 64 << 20), logger: Logger(label: "browser")) { inbound, outbound, _ in
            let page = BrowserPage(messages: inbound.messages(maxSize: 64 << 20).makeAsyncIterator(), outbound: outbound)
            do {
                // A new tab, attached to this connection: its commands carry the session id.
                let target = try await page.command("Target.createTarget", ["url": "about:blank"])
                let attached = try await page.command("Target.attachToTarget", ["targetId": target["targetId"] as? String ?? "", "flatten": true])
                page.sessionId = attached["sessionId"] as? String
                try await body(page)
            } catch {
                failure.error = error
            }
        }
        if let error = failure.error { throw error }
    }

    final class ErrorBox: @unchecked Sendable {
        var error: (any Error)?
    }

    static func shell(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-shell-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        process.standardOutput = try FileHandle(forWritingTo: output)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BrowserError("\(path) failed with status \(process.terminationStatus)") }
        return try String(contentsOf: output, encoding: .utf8)
    }
}

/// One browser tab. Not thread-safe: use it from the test body only, one call at a time.
public final class BrowserPage: @unchecked Sendable {
    private var messages: WebSocketInboundMessageStream.AsyncIterator
    private let outbound: WebSocketOutboundWriter
    private var nextId = 0
    /// The attached tab's session (nil: commands go to the browser).
    var sessionId: String?

    init(messages: WebSocketInboundMessageStream.AsyncIterator, outbound: WebSocketOutboundWriter) {
        self.messages = messages
        self.outbound = outbound
    }

    /// Sends a DevTools command and returns its result (events in between are skipped).
    @discardableResult
    public func command(_ method: String, _ parameters: [String: Any] = [:]) async throws -> [String: Any] {
        nextId += 1
        let id = nextId
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if let sessionId { message["sessionId"] = sessionId }
        let data = try JSONSerialization.data(withJSONObject: message)
        try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
        while let message = try await messages.next() {
            guard case let .text(text) = message,
                  let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], object["id"] as? Int == id else { continue }
            if let error = object["error"] as? [String: Any] { throw BrowserError("\(method): \(error["message"] ?? error)") }
            return object["result"] as? [String: Any] ?? [:]
        }
        throw BrowserError("the browser closed the connection")
    }

    /// The value of a JavaScript expression (awaited when it is a promise).
    @discardableResult
    public func evaluate(_ expression: String) async throws -> Any? {
        let result = try await command("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] as? [String: Any] {
            let description = (exception["exception"] as? [String: Any])?["description"] ?? exception["text"] ?? "exception"
            throw BrowserError("\(expression.prefix(80)): \(description)")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Opens `url` and waits until the page has loaded.
    public func open(_ url: String) async throws {
        try await evaluate("window.__agnesWaiting = true")
        try await command("Page.navigate", ["url": url])
        try await waitForNewDocument()
    }

    /// Sets form fields (CSS selector → value).
    public func fill(_ fields: [String: String]) async throws {
        for (selector, value) in fields {
            let data = try JSONSerialization.data(withJSONObject: [selector, value])
            let ok = try await evaluate("""
                (() => { const [s, v] = \(String(decoding: data, as: UTF8.self)); const e = document.querySelector(s);
                  if (!e) return false; e.value = v; return true })()
                """)
            guard ok as? Bool == true else { throw BrowserError("no element \(selector)") }
        }
    }

    /// Clicks the element at `selector` (a submit button, say) and waits for the page it leads to.
    public func click(_ selector: String) async throws {
        let data = try JSONSerialization.data(withJSONObject: [selector])
        try await evaluate("window.__agnesWaiting = true")
        let found = try await evaluate("(() => { const e = document.querySelector(\(String(decoding: data, as: UTF8.self))[0]); if (!e) return false; e.click(); return true })()")
        guard found as? Bool == true else { throw BrowserError("no element \(selector)") }
        try await waitForNewDocument()
    }

    private func waitForNewDocument() async throws {
        for _ in 0..<400 {
            let state = try? await evaluate("window.__agnesWaiting === undefined ? document.readyState : 'old'") as? String
            if state == "complete" { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw BrowserError("the page did not load")
    }

    /// The rendered DOM, as `--dump-dom` prints it.
    public func dom() async throws -> String {
        try await evaluate("document.documentElement.outerHTML") as? String ?? ""
    }

    /// The text of the first element matching `selector` (nil when there is none).
    public func text(_ selector: String) async throws -> String? {
        let data = try JSONSerialization.data(withJSONObject: [selector])
        return try await evaluate("(() => { const e = document.querySelector(\(String(decoding: data, as: UTF8.self))[0]); return e ? e.innerText : null })()") as? String
    }

    public var url: String {
        get async throws { try await evaluate("location.href") as? String ?? "" }
    }

    /// A PNG of the whole page at `width` CSS pixels (a phone's width with `mobile`).
    public func screenshot(to file: URL, width: Int = 1280, mobile: Bool = false) async throws {
        try await command("Emulation.setDeviceMetricsOverride", ["width": width, "height": 800, "deviceScaleFactor": 1, "mobile": mobile])
        let metrics = try await command("Page.getLayoutMetrics")
        let height = ((metrics["cssContentSize"] as? [String: Any])?["height"] as? Double).map { Int($0.rounded(.up)) } ?? 800
        try await command("Emulation.setDeviceMetricsOverride", ["width": width, "height": max(height, 400), "deviceScaleFactor": 1, "mobile": mobile])
        let shot = try await command("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true])
        try await command("Emulation.clearDeviceMetricsOverride")
        guard let base64 = shot["data"] as? String, let data = Data(base64Encoded: base64) else { throw BrowserError("no screenshot") }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file, options: .atomic)
    }
}
