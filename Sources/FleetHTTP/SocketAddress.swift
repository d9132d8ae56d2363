import Glibc

/// Conversions between textual IP literals and `sockaddr` for binding and for describing peers.
enum SocketAddress {
    enum Family {
        case ipv4, ipv6
    }

    /// Calls `body` with a `sockaddr` for `host`:`port`; throws if `host` is not an IPv4 or IPv6 literal.
    static func withSockaddr<Result>(
        host: String,
        port: Int,
        _ body: (UnsafePointer<sockaddr>, Family) throws -> Result
    ) throws -> Result {
        guard (0...65_535).contains(port) else {
            throw HTTPServerError(message: "port \(port) is outside 0...65535")
        }
        var ipv4 = sockaddr_in()
        if inet_pton(AF_INET, host, &ipv4.sin_addr) == 1 {
            ipv4.sin_family = sa_family_t(AF_INET)
            ipv4.sin_port = UInt16(port).bigEndian
            return try withUnsafePointer(to: &ipv4) { pointer in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, .ipv4) }
            }
        }
        var ipv6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &ipv6.sin6_addr) == 1 {
            ipv6.sin6_family = sa_family_t(AF_INET6)
            ipv6.sin6_port = UInt16(port).bigEndian
            return try withUnsafePointer(to: &ipv6) { pointer in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, .ipv6) }
            }
        }
        throw HTTPServerError(message: "host '\(host)' is not an IPv4 or IPv6 literal")
    }

    /// The textual address of an IPv4 or IPv6 peer; IPv4-mapped IPv6 addresses are shown as IPv4.
    static func describe(_ address: UnsafePointer<sockaddr>) -> String? {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
                var raw = ipv4.pointee.sin_addr
                guard inet_ntop(AF_INET, &raw, &text, socklen_t(text.count)) != nil else { return nil }
                return String(nulTerminated: text)
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ipv6 in
                var raw = ipv6.pointee.sin6_addr
                guard inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count)) != nil else { return nil }
                let described = String(nulTerminated: text)
                let mappedPrefix = "::ffff:"
                if described.hasPrefix(mappedPrefix), described.contains(".") {
                    return String(described.dropFirst(mappedPrefix.count))
                }
                return described
            }
        default:
            return nil
        }
    }
}
