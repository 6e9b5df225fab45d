import Crypto
import Foundation
import NIOCore
import Vapor
import VertrouwdStore

/// Who is sending a request, as far as fair shares need to know: a keyed fingerprint of the
/// network address, made fresh by every start of the server, held in memory for minutes and
/// never stored or logged. The address is the socket's peer, or the client address that a proxy
/// named in `VERTROUWD_TRUSTED_PROXIES` put in `X-Forwarded-For` (the right-most address no
/// trusted proxy added). IPv6 addresses count per /64, the block one household or phone gets.
struct Source: Hashable, Sendable {
    let fingerprint: String

    /// This process's key for fingerprints: an address cannot be read back from one, and a
    /// fingerprint means nothing after a restart.
    private static let key = SymmetricKey(size: .bits256)

    /// Work that no request started (a command, a test): one sender.
    static let unknown = Source(address: "unknown")

    init(address raw: String) {
        let address = Self.normalised(raw)
        let code = HMAC<SHA256>.authenticationCode(for: Data(Self.block(of: address).utf8), using: Self.key)
        fingerprint = Data(code.prefix(12)).base64EncodedString()
    }

    /// One spelling per address: an IPv4 address mapped into IPv6 (`::ffff:192.0.2.1`, what a
    /// dual-stack socket reports) as the IPv4 address, IPv6 in its canonical form.
    static func normalised(_ address: String) -> String {
        let lower = address.lowercased()
        if lower.hasPrefix("::ffff:"), lower.contains(".") { return String(lower.dropFirst(7)) }
        var bytes = in6_addr()
        guard lower.contains(":"), inet_pton(AF_INET6, lower, &bytes) == 1 else { return lower }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &bytes, &text, socklen_t(text.count)) != nil else { return lower }
        return String(cString: text)
    }

    /// An IPv6 address's first four groups; anything else as it is.
    static func block(of address: String) -> String {
        guard address.contains(":") else { return address }
        var bytes = in6_addr()
        guard inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        return withUnsafeBytes(of: &bytes) { raw in raw.prefix(8).map { String(format: "%02x", $0) }.joined() }
            + "::/64"
    }

    /// The address a request came from, through trusted proxies.
    static func address(of req: Request, trustedProxies: Set<String>) -> String {
        let peer = normalised(req.remoteAddress?.ipAddress ?? "unknown")
        let trustedProxies = Set(trustedProxies.map(normalised))
        guard trustedProxies.contains(peer) else { return peer }
        // Proxies append what they saw: read from the right, past every trusted proxy.
        let chain = req.headers[.xForwardedFor].flatMap { $0.split(separator: ",") }
            .map { normalised($0.trimmingCharacters(in: .whitespaces)) }.filter { !$0.isEmpty }
        return chain.last(where: { !trustedProxies.contains($0) }) ?? peer
    }
}

extension Request {
    /// The sender's fingerprint (`Source`), worked out once per request.
    var source: Source {
        if let known = storage[SourceKey.self] { return known }
        // Without a peer address (a Unix socket, a test in process) senders cannot be told
        // apart: each request is its own, and only the limits per organisation apply.
        let source =
            remoteAddress?.ipAddress == nil
            ? Source(address: "request:" + UUID().uuidString)
            : Source(address: Source.address(of: self, trustedProxies: application.settings.trustedProxies))
        storage[SourceKey.self] = source
        return source
    }

    private struct SourceKey: StorageKey { typealias Value = Source }
}
