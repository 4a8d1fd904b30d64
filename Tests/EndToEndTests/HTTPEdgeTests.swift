// The HTTP edge over the real agnes-server binary, with raw sockets: a client that trickles its headers is cut off
// after the header timeout, an idle connection after the idle timeout; a request that does not parse gets
// `{"detail": …}`; connections past the cap wait until one closes, while 64 busy clients always fit; path parameters
// are percent-decoded once.
import AgnesAPI
import AgnesTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// A plain TCP connection to 127.0.0.1 for speaking HTTP by hand. Used by one test at a time.
final class RawConnection: @unchecked Sendable {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw DemoServerError(message: "connect failed: \(errno)") }
    }

    deinit { close(descriptor) }

    func send(_ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { buffer in Glibc.send(descriptor, buffer.baseAddress, buffer.count - 1, Int32(MSG_NOSIGNAL)) }
    }

    /// What arrives within `seconds` (or until one whole response with a `Content-Length` body has), and whether the
    /// server closed the connection by then. The waiting happens on a thread of its own, never on Swift's cooperative
    /// pool (two cores give it two threads, which a few waiting tests would otherwise take from every other test).
    func read(for seconds: Double, untilResponse: Bool = false) async -> (text: String, closed: Bool) {
        (try? await offTheCooperativePool { self.readBlocking(for: seconds, untilResponse: untilResponse) }) ?? ("", false)
    }

    private func readBlocking(for seconds: Double, untilResponse: Bool) -> (text: String, closed: Bool) {
        var received = Data()
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if untilResponse, Self.isCompleteResponse(received) { break }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000)))
            if ready <= 0 { break }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += Data(buffer.prefix(count))
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    static func isCompleteResponse(_ data: Data) -> Bool {
        let text = String(decoding: data, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) else { return true }
        return text[end.upperBound...].utf8.count >= length
    }
}

@Suite("HTTP edge", .serialized)
struct HTTPEdgeTests {
    @Test("slow headers and idle connections are cut off; a malformed request gets {\"detail\": …}")
    func timeoutsAndParseErrors() async throws {
        let server = try await DemoServer.start(environment: ["AGNES_HEADER_TIMEOUT_SECONDS": "1", "AGNES_IDLE_TIMEOUT_SECONDS": "3"])
        defer { server.stop() }
        let port = server.client.base.port!
        // The header timeout's checks run on a server whose idle timeout is far away, so that only the header
        // timeout can close the connection, however loaded the machine is.
        let patient = try await DemoServer.start(environment: ["AGNES_HEADER_TIMEOUT_SECONDS": "1", "AGNES_IDLE_TIMEOUT_SECONDS": "120"])
        defer { patient.stop() }

        // Headers trickled one line at a time, never finished: closed after about a second.
        let slow = try RawConnection(port: patient.client.base.port!)
        let started = Date()
        slow.send("GET /api/health HTTP/1.1\r\n")
        slow.send("Host: 127.0.0.1\r\n")
        let cut = await slow.read(for: 30)
        let cutAfter = Date().timeIntervalSince(started)
        #expect(cut.closed && cutAfter > 0.9 && cutAfter < 20, "cut off after \(cutAfter) s")

        // A complete request is answered, then the idle connection is closed after the idle timeout (not the header one).
        let idle = try RawConnection(port: port)
        idle.send("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let answeredAt = Date()
        let answered = await idle.read(for: 1.5, untilResponse: true)
        #expect(answered.text.hasPrefix("HTTP/1.1 200") && !answered.closed)
        let later = await idle.read(for: 4)
        #expect(later.closed && Date().timeIntervalSince(answeredAt) > 2.5, "closed after \(Date().timeIntervalSince(answeredAt)) s")

        // On a kept-alive connection the clock starts again with the next request's first byte: a second head begun
        // half a second after the first request is cut off a second after it began, not earlier.
        let kept = try RawConnection(port: patient.client.base.port!)
        kept.send("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(await kept.read(for: 1.5, untilResponse: true).text.hasPrefix("HTTP/1.1 200"))
        try await Task.sleep(for: .milliseconds(500))
        let secondStarted = Date()
        kept.send("GET /api/health HTTP/1.1\r\n")
        let second = await kept.read(for: 30)
        let after = Date().timeIntervalSince(secondStarted)
        #expect(second.closed && after > 0.9 && after < 20, "the second head was cut off after \(after) s")

        // Garbage: a 400 with a JSON detail, and the connection closed.
        for garbage in ["NOT HTTP AT ALL\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", "GET /\u{01} HTTP/1.1\r\n\r\n"] {
            let raw = try RawConnection(port: port)
            raw.send(garbage)
            let answer = await raw.read(for: 3)
            #expect(answer.text.hasPrefix("HTTP/1.1 400"), "\(garbage.debugDescription): \(answer.text)")
            #expect(answer.text.contains("application/json") && answer.text.contains("{\"detail\":\"Malformed HTTP request"), "\(answer.text)")
            #expect(answer.closed)
        }
    }

    @Test("past the connection cap new clients wait for a free one; 64 busy clients always fit")
    func connectionCap() async throws {
        let server = try await DemoServer.start(environment: ["AGNES_MAX_CONNECTIONS": "64", "AGNES_HEADER_TIMEOUT_SECONDS": "60"])
        defer { server.stop() }
        let port = server.client.base.port!
        // 80 clients each send a request at once. The server takes connections up to its cap (NIO accepts a few in one
        // read, so it may pass the cap by those), and the rest wait in the listen backlog.
        var clients: [RawConnection] = []
        for _ in 0..<80 { clients.append(try RawConnection(port: port)) }
        for client in clients { client.send("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") }
        try await Task.sleep(for: .seconds(2))
        var answered: [Bool] = []
        for client in clients { answered.append(await client.read(for: 0.05, untilResponse: true).text.hasPrefix("HTTP/1.1 200")) }
        let served = answered.filter { $0 }.count
        #expect(served >= 60 && served <= 72, "\(served) of 80 served with a cap of 64")
        // Once the served ones leave, the waiting ones are served.
        let waiting = zip(clients, answered).filter { !$0.1 }.map(\.0)
        clients = waiting
        for client in waiting { #expect(await client.read(for: 5, untilResponse: true).text.hasPrefix("HTTP/1.1 200")) }
    }

    @Test("path parameters are percent-decoded once and validated")
    func pathParameters() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let client = server.client
        #expect(try await client.call("HEAD", "/api/data/ord%65rs/download", token: server.admin).status == 200)
        for path in ["/api/data/%252e%252e/download", "/api/data/..%2F..%2Fstate/download", "/api/data/orders%00/download",
                     "/api/v2/schema/orders%252F..", "/api/catalog/profile/%2e%2e"] {
            let answer = try await client.call("GET", path, token: server.admin)
            #expect([400, 404].contains(answer.status), "\(path) → \(answer.status)")
            #expect(answer.detail != nil && !String(decoding: answer.body, as: UTF8.self).contains(server.dataDirectory.path), "\(path)")
        }
    }
    @Test("ranges as RFC 9110, the per-user upload quota and list caps, through the real server")
    func rangesQuotasAndLists() async throws {
        let server = try await DemoServer.start(environment: ["AGNES_UPLOAD_QUOTA_BYTES": "2000", "AGNES_MAX_LIST_ITEMS": "5"])
        defer { server.stop() }
        let client = server.client
        let whole = try await client.call("GET", "/api/data/orders/download", token: server.analyst)
        #expect(whole.status == 200 && whole.body.count > 1000)
        let one = try await client.call("GET", "/api/data/orders/download", token: server.analyst, headers: ["Range": "bytes=10-19"])
        #expect(one.status == 206 && one.body == whole.body.subdata(in: 10..<20))
        for ignored in ["bytes=0-1,5-6", "pages=1-2", "bytes=x-y"] {
            let answer = try await client.call("GET", "/api/data/orders/download", token: server.analyst, headers: ["Range": ignored])
            #expect(answer.status == 200 && answer.body == whole.body, "\(ignored)")
        }
        let past = try await client.call("GET", "/api/data/orders/download", token: server.analyst, headers: ["Range": "bytes=\(whole.body.count)-"])
        #expect(past.status == 416)

        let first = try await client.call("POST", "/api/upload/local-md", json: ["content": String(repeating: "a", count: 1500)], token: server.analyst)
        #expect(first.status == 200)
        let replaced = try await client.call("POST", "/api/upload/local-md", json: ["content": String(repeating: "b", count: 1900)], token: server.analyst)
        #expect(replaced.status == 200, "a replaced file counts once")
        var request = URLRequest(url: URL(string: "/api/upload/sessions", relativeTo: client.base)!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(server.analyst)", forHTTPHeaderField: "Authorization")
        request.setValue("multipart/form-data; boundary=edge", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data("--edge\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.jsonl\"\r\n\r\n\(String(repeating: "x", count: 500))\r\n--edge--\r\n".utf8)
        let (body, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 413 && String(decoding: body, as: UTF8.self).contains("Upload quota exceeded"))

        let tags = try await client.call("POST", "/api/memory", json: ["title": "Too many tags", "tags": ["a", "b", "c", "d", "e", "f"]], token: server.analyst)
        #expect(tags.status == 422 && String(decoding: tags.body, as: UTF8.self).contains("at most 5"))
    }
}
