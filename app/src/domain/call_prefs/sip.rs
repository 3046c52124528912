//! SIP addresses (RFC 3261, section 19.1): checked with a small parser rather than a crate,
//! so the browser can run the same check.

/// Longest SIP address, in characters.
pub const SIP_MAX_CHARS: usize = 255;

fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.!~*'()".contains(c)
}

/// `s` is made of characters allowed by `ok` and `%XX` escapes.
fn escaped_all(s: &str, ok: impl Fn(char) -> bool) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        if c == '%' {
            let hex = |j: usize| bytes.get(j).is_some_and(|b| b.is_ascii_hexdigit());
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
        } else if c.is_ascii() && ok(c) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

fn is_hostname(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    // The top label starts with a letter (RFC 3261), which also tells names from IPv4.
    host.len() <= 253
        && labels.iter().all(label_ok)
        && labels.last().is_some_and(|t| t.starts_with(|c: char| c.is_ascii_alphabetic()))
}

fn is_ipv4(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.chars().all(|c| c.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

fn is_ipv6(inner: &str) -> bool {
    let group_ok =
        |g: &str| !g.is_empty() && g.len() <= 4 && g.chars().all(|c| c.is_ascii_hexdigit());
    // The 16-bit groups of one side of `::` (an IPv4 address at the very end counts as two).
    let groups = |side: &str, at_end: bool| -> Option<usize> {
        if side.is_empty() {
            return Some(0);
        }
        let parts: Vec<&str> = side.split(':').collect();
        let mut n = 0;
        for (i, part) in parts.iter().enumerate() {
            if at_end && i == parts.len() - 1 && part.contains('.') {
                n += if is_ipv4(part) { 2 } else { return None };
            } else if group_ok(part) {
                n += 1;
            } else {
                return None;
            }
        }
        Some(n)
    };
    match inner.split_once("::") {
        // `::` stands for at least one group of zeros.
        Some((before, after)) => {
            !after.contains("::")
                && matches!((groups(before, false), groups(after, true)), (Some(a), Some(b)) if a + b <= 7)
        }
        None => groups(inner, true) == Some(8),
    }
}

/// A SIP address: `sip:` or `sips:`, a user part, `@`, a host (name, IPv4 or `[IPv6]`), an
/// optional port, then optional `;parameters` and `?headers` (RFC 3261, section 19.1). The
/// scheme is lower-cased; the rest is kept as typed.
pub fn parse_sip_address(input: &str) -> Result<String, &'static str> {
    const SCHEME: &str = "Enter a SIP address starting with sip: or sips:, like \
                          sip:alex@pbx.example.com.";
    let s = input.trim();
    if s.chars().count() > SIP_MAX_CHARS {
        return Err("A SIP address can have at most 255 characters.");
    }
    let (scheme, rest) = s.split_once(':').ok_or(SCHEME)?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "sip" && scheme != "sips" {
        return Err(SCHEME);
    }
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("A SIP address cannot contain spaces.");
    }
    let Some((userinfo, hostpart)) = rest.split_once('@') else {
        return Err("Add the user part and @, like sip:alex@pbx.example.com.");
    };
    if hostpart.contains('@') {
        return Err("A SIP address has one @, between the user and the host.");
    }
    let (user, password) = match userinfo.split_once(':') {
        Some((u, p)) => (u, Some(p)),
        None => (userinfo, None),
    };
    if user.is_empty() {
        return Err("Add the user part before @, like sip:alex@pbx.example.com.");
    }
    if !escaped_all(user, |c| is_unreserved(c) || "&=+$,;?/".contains(c)) {
        return Err("The user part has characters a SIP address cannot have (write them as \
                    %XX escapes).");
    }
    if password.is_some_and(|p| !escaped_all(p, |c| is_unreserved(c) || "&=+$,".contains(c))) {
        return Err("The password part has characters a SIP address cannot have.");
    }
    // The host and port end where the parameters or headers begin.
    let end = hostpart.find([';', '?']).unwrap_or(hostpart.len());
    let (hostport, tail) = hostpart.split_at(end);
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (inner, after) = v6.split_once(']').ok_or("Close the IPv6 address with ].")?;
        if !is_ipv6(inner) {
            return Err("The host is not a valid IPv6 address.");
        }
        match after {
            "" => (hostport, None),
            p => (hostport, Some(p.strip_prefix(':').ok_or("Put a : before the port.")?)),
        }
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if !host.starts_with('[') && !is_hostname(host) && !is_ipv4(host) {
        return Err("After @ comes a host name or IP address, like pbx.example.com.");
    }
    if let Some(p) = port {
        let valid = !p.is_empty()
            && p.len() <= 5
            && p.chars().all(|c| c.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n));
        if !valid {
            return Err("The port must be a number from 1 to 65535.");
        }
    }
    let (params, headers) = match tail.split_once('?') {
        Some((p, h)) => (p, Some(h)),
        None => (tail, None),
    };
    let param_ok = |c: char| is_unreserved(c) || "[]/:&+$".contains(c);
    for param in params.split(';').skip(1) {
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        if name.is_empty() || !escaped_all(name, param_ok) || !escaped_all(value, param_ok) {
            return Err("The parameters after ; are not valid, like ;transport=tls.");
        }
    }
    if let Some(headers) = headers {
        let header_ok = |c: char| is_unreserved(c) || "[]/?:+$".contains(c);
        for h in headers.split('&') {
            let valid = h.split_once('=').is_some_and(|(n, v)| {
                !n.is_empty() && escaped_all(n, header_ok) && escaped_all(v, header_ok)
            });
            if !valid {
                return Err("The headers after ? are not valid, like ?subject=sales.");
            }
        }
    }
    Ok(format!("{scheme}:{rest}"))
}

#[cfg(test)]
mod tests {
    use super::parse_sip_address;

    #[test]
    fn sip_addresses_that_are_valid() {
        for (input, want) in [
            ("sip:alex@pbx.example.com", "sip:alex@pbx.example.com"),
            ("  SIPS:alex@pbx.example.com  ", "sips:alex@pbx.example.com"),
            ("sip:alex@example.com:5061", "sip:alex@example.com:5061"),
            ("sip:alex:secret@example.com", "sip:alex:secret@example.com"),
            (
                "sip:+12025550123@gw.example.com;user=phone",
                "sip:+12025550123@gw.example.com;user=phone",
            ),
            ("sip:alex@192.0.2.10", "sip:alex@192.0.2.10"),
            ("sip:alex@[2001:db8::1]:5060", "sip:alex@[2001:db8::1]:5060"),
            ("sip:alex@[::1]", "sip:alex@[::1]"),
            ("sip:alex@[2001:db8:0:0:0:0:0:1]", "sip:alex@[2001:db8:0:0:0:0:0:1]"),
            ("sip:alex@[::ffff:192.0.2.1]", "sip:alex@[::ffff:192.0.2.1]"),
            ("sip:a.b-c_d%20e@host;transport=tls;lr", "sip:a.b-c_d%20e@host;transport=tls;lr"),
            (
                "sip:alex@example.com?subject=sales&priority=urgent",
                "sip:alex@example.com?subject=sales&priority=urgent",
            ),
            ("sip:alex@example.com.", "sip:alex@example.com."),
        ] {
            assert_eq!(parse_sip_address(input).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn sip_addresses_that_are_refused() {
        for input in [
            "",
            "http://x",
            "alex@example.com",
            "sip:",
            "sip:example.com",
            "sip:@example.com",
            "sip:alex@",
            "sip:al ex@example.com",
            "sip:alex@exa mple.com",
            "sip:alex@bob@example.com",
            "sip:alex@-example.com",
            "sip:alex@example..com",
            "sip:alex@example.com:0",
            "sip:alex@example.com:65536",
            "sip:alex@example.com:",
            "sip:alex@example.com:50x",
            "sip:alex@[2001:db8::1",
            "sip:alex@[2001:db8::1::2]",
            "sip:alex@[12345::1]",
            "sip:alex@[1:2:3:4:5:6:7]",
            "sip:alex@[1:2:3:4:5:6:7:8:9]",
            "sip:alex@256.1.1.1",
            "sip:alex@1.2.3",
            "sip:al%2xex@example.com",
            "sip:alé@example.com",
            "sip:alex@example.com;=x",
            "sip:alex@example.com?subject",
            "sip:alex<x>@example.com",
            "tel:+12025550123",
        ] {
            assert!(parse_sip_address(input).is_err(), "{input} should be refused");
        }
        let long = format!("sip:{}@example.com", "a".repeat(260));
        assert!(parse_sip_address(&long).is_err());
    }
}
