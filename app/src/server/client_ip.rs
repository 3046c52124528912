//! The client's address: the peer's own, or, when the peer is a trusted reverse proxy
//! (`--trusted-proxies`), the one the proxies name in `Forwarded` or `X-Forwarded-For`.
//!
//! Those headers are written by whoever sends the request, so only the hops appended by
//! trusted proxies are believed: the list is read from the right (the hop nearest to us),
//! trusted proxies are skipped, and the first address that is not one of them is the
//! client. An unparsable hop stops the walk at the last trusted one.
//! Throttles, logs and the sessions list all use this one address.

use axum::{extract::Request, middleware::Next, response::Response};
use http::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The resolved client address, a request extension set by [`layer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

fn trusted(ip: IpAddr, proxies: &[IpNet]) -> bool {
    proxies.iter().any(|net| net.contains(&ip))
}

/// One hop of `Forwarded: for=...` or `X-Forwarded-For`: an address, maybe with a port,
/// maybe an IPv6 address in brackets and quotes. Obfuscated names (`_hidden`) and
/// `unknown` give `None`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim().trim_matches('"');
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sock) = hop.parse::<SocketAddr>() {
        return Some(sock.ip());
    }
    // "[2001:db8::1]" without a port.
    hop.strip_prefix('[').and_then(|h| h.strip_suffix(']')).and_then(|h| h.parse().ok())
}

/// The hops the proxies recorded, nearest last. `Forwarded` (RFC 7239) wins over
/// `X-Forwarded-For` when both are present. `None` for a hop that cannot be read.
fn hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<&str> =
        headers.get_all("forwarded").iter().filter_map(|v| v.to_str().ok()).collect();
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|v| v.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| parse_hop(v))
            })
            .collect();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(parse_hop)
        .collect()
}

/// The client of a request that came from `peer` with `headers`.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, proxies: &[IpNet]) -> IpAddr {
    if !trusted(peer, proxies) {
        return peer;
    }
    let mut client = peer;
    for hop in hops(headers).into_iter().rev() {
        match hop {
            Some(ip) => {
                client = ip;
                if !trusted(ip, proxies) {
                    break;
                }
            }
            None => break,
        }
    }
    client
}

/// Middleware: stores the [`ClientIp`] of each request. Needs the connection info
/// (`into_make_service_with_connect_info`); without it (tests calling the router directly)
/// the address is unspecified.
pub async fn layer(
    axum::extract::State(proxies): axum::extract::State<std::sync::Arc<Vec<IpNet>>>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    let ip = resolve(peer, req.headers(), &proxies);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    /// Peer, headers, expected client.
    type Case<'a> = (&'a str, &'a [(&'static str, &'static str)], &'a str);

    #[test]
    fn forwarding_headers_are_believed_only_from_trusted_proxies() {
        let proxies: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let table: &[Case] = &[
            // An untrusted peer: its headers are ignored, whatever they say.
            ("203.0.113.9", &[("x-forwarded-for", "198.51.100.1")], "203.0.113.9"),
            ("203.0.113.9", &[("forwarded", "for=198.51.100.1")], "203.0.113.9"),
            // A trusted proxy with no header: the proxy itself.
            ("10.0.0.2", &[], "10.0.0.2"),
            // The nearest untrusted hop, not whatever the client put first.
            ("10.0.0.2", &[("x-forwarded-for", "6.6.6.6, 198.51.100.1")], "198.51.100.1"),
            ("10.0.0.2", &[("x-forwarded-for", "198.51.100.1, 10.0.0.7")], "198.51.100.1"),
            (
                "10.0.0.2",
                &[("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "198.51.100.7")],
                "198.51.100.7",
            ),
            // RFC 7239, with quotes, brackets and ports; it wins over X-Forwarded-For.
            ("10.0.0.2", &[("forwarded", "for=\"[2001:db8::5]:4711\";proto=https")], "2001:db8::5"),
            (
                "10.0.0.2",
                &[
                    ("forwarded", "for=192.0.2.60;by=10.0.0.2, for=10.1.1.1"),
                    ("x-forwarded-for", "6.6.6.6"),
                ],
                "192.0.2.60",
            ),
            ("::1", &[("x-forwarded-for", "198.51.100.1:5000")], "198.51.100.1"),
            // An unreadable hop stops the walk at the last trusted address.
            ("10.0.0.2", &[("x-forwarded-for", "198.51.100.1, garbage")], "10.0.0.2"),
            ("10.0.0.2", &[("forwarded", "for=_hidden")], "10.0.0.2"),
        ];
        for (peer, hs, expected) in table {
            assert_eq!(resolve(ip(peer), &headers(hs), &proxies), ip(expected), "{peer} {hs:?}");
        }
        // With no trusted proxies configured, nobody's headers count.
        let spoof = headers(&[("x-forwarded-for", "198.51.100.1")]);
        assert_eq!(resolve(ip("10.0.0.2"), &spoof, &[]), ip("10.0.0.2"));
    }
}
