// Which hosts a "test connection" may reach (SPEC §14, SSRF): the host is resolved once, and every address it resolves
// to must be public — loopback, private, link-local, carrier-grade NAT, multicast and unspecified addresses are refused
// unless the operator allowed private hosts. The connection then goes to the checked address, so a second DNS answer
// cannot point it elsewhere.
import Foundation

/// Decides whether connection tests may reach an address.
public struct NetworkPolicy: Sendable, Equatable {
    /// Allow loopback, private and link-local addresses (`sources.allow_private_hosts`), for sources inside the network.
    public var allowPrivateHosts: Bool

    public init(allowPrivateHosts: Bool = false) { self.allowPrivateHosts = allowPrivateHosts }

    /// An API's configured URL: https, or http only to this machine (a local service in tests); nil otherwise.
    public static func apiURL(_ text: String) -> URL? {
        guard let url = URL(string: text), let host = url.host, let scheme = url.scheme?.lowercased() else { return nil }
        return scheme == "https" || scheme == "http" && ["127.0.0.1", "localhost", "::1"].contains(host) ? url : nil
    }

    /// Why a host may not be reached.
    public struct Refusal: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// The addresses of `host` (numeric, as text), after checking each; throws `Refusal` when one is not allowed or
    /// the name does not resolve.
    public func resolve(_ host: String) throws -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else {
            throw Refusal(description: "host '\(host)' does not resolve")
        }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(current.pointee.ai_addr, current.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !addresses.contains(text) { addresses.append(text) }
            }
            entry = current.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw Refusal(description: "host '\(host)' does not resolve") }
        if !allowPrivateHosts, let blocked = addresses.first(where: Self.isInternal) {
            throw Refusal(description: "host '\(host)' resolves to \(blocked), an internal address; connection tests reach public hosts only "
                                       + "unless sources.allow_private_hosts (AGNES_ALLOW_PRIVATE_SOURCE_HOSTS) is true")
        }
        return addresses
    }

    /// Whether a numeric address is loopback, private, link-local, shared (CGNAT), multicast, reserved or unspecified.
    public static func isInternal(_ address: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 { return isInternal(v4: UInt32(bigEndian: v4.s_addr)) }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return true }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {  // ::ffff:a.b.c.d
            return isInternal(v4: bytes[12..<16].reduce(0) { $0 << 8 | UInt32($1) })
        }
        if bytes.allSatisfy({ $0 == 0 }) || bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }  // :: and ::1
        if bytes[0] & 0xfe == 0xfc { return true }  // fc00::/7 unique local
        if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 { return true }  // fe80::/10 link-local
        if bytes[0] == 0xff { return true }  // multicast
        return false
    }

    static func isInternal(v4 address: UInt32) -> Bool {
        func within(_ network: UInt32, _ bits: UInt32) -> Bool { address >> (32 - bits) == network >> (32 - bits) }
        return within(0x0000_0000, 8) || within(0x0A00_0000, 8) || within(0x6440_0000, 10) || within(0x7F00_0000, 8)
            || within(0xA9FE_0000, 16) || within(0xAC10_0000, 12) || within(0xC0A8_0000, 16) || within(0xC000_0000, 24)
            || within(0xC612_0000, 15) || within(0xE000_0000, 4) || within(0xF000_0000, 4)
    }
}
