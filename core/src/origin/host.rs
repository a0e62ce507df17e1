//! Hosts as browsers serialize them: domain names, IPv4 and bracketed IPv6 addresses.

use std::fmt::{self, Write as _};
use std::net::{Ipv4Addr, Ipv6Addr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Host {
    Domain,
    Ipv4,
    Ipv6,
}

/// Why a host is not one browsers could serialize. Carries no text, so a request is refused
/// without allocating; [`HostError::message`] words it for a configuration entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostError {
    Empty,
    Unbracketed,
    TooLong,
    Char(u8),
    NotIpv4,
    EmptyLabel,
    /// A label (its byte range in the host) longer than 63 bytes.
    LongLabel(usize, usize),
    /// A label (its byte range in the host) that starts or ends with `-`.
    Hyphen(usize, usize),
}

impl HostError {
    /// The problem's code for a configuration entry with this host.
    pub(crate) fn code(self) -> &'static str {
        match self {
            HostError::Empty => "origin-host-empty",
            HostError::Unbracketed => "origin-ipv6-unbracketed",
            HostError::TooLong => "origin-host-too-long",
            HostError::Char(_) => "origin-host-character",
            HostError::NotIpv4 => "origin-host-not-ipv4",
            HostError::EmptyLabel => "origin-host-empty-label",
            HostError::LongLabel(..) => "origin-host-long-label",
            HostError::Hyphen(..) => "origin-host-hyphen",
        }
    }

    pub(crate) fn message(self, host: &str) -> String {
        match self {
            HostError::Empty => "the host is empty".into(),
            HostError::Unbracketed => {
                "an IPv6 address must be written in brackets, e.g. http://[::1]:8080".into()
            }
            HostError::TooLong => "the host is longer than 253 bytes".into(),
            HostError::Char(b) => format!(
                "the host contains {:?}, which is not allowed in a host name (only letters, digits, `-`, `_` and `.`)",
                b as char
            ),
            HostError::NotIpv4 => "the host ends in a number but is not an IPv4 address in its canonical dotted form (four numbers 0-255, no leading zeros)".into(),
            HostError::EmptyLabel => {
                "the host has an empty label (a leading, trailing or doubled `.`)".into()
            }
            HostError::LongLabel(start, end) => {
                format!("the label {:?} is longer than 63 bytes", &host[start..end])
            }
            HostError::Hyphen(start, end) => {
                format!("the label {:?} starts or ends with `-`", &host[start..end])
            }
        }
    }
}

/// Validates a host in one pass: labels of letters, digits, `_` and inner hyphens (1 to 63
/// bytes each, 253 in all, no empty label), a canonical dotted IPv4 address (when the last label is
/// numeric, as the URL standard decides), or a bracketed IPv6 address (checked further by
/// [`canonical_ipv6`]). Case is left to the caller. Never allocates.
pub(crate) fn classify_host(host: &str) -> Result<Host, HostError> {
    let bytes = host.as_bytes();
    match bytes.first() {
        None => return Err(HostError::Empty),
        Some(b'[') => {
            return if bytes.len() > 2 && bytes.ends_with(b"]") {
                Ok(Host::Ipv6)
            } else {
                Err(HostError::Unbracketed)
            };
        }
        Some(_) => {}
    }
    if bytes.len() > 253 {
        return Err(HostError::TooLong);
    }
    // The first label error, reported only if the host is not an IPv4 address.
    let mut label_error = None;
    let mut start = 0;
    for end in 0..=bytes.len() {
        let b = bytes.get(end).copied().unwrap_or(b'.');
        if b != b'.' {
            if !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                return Err(HostError::Char(b));
            }
            continue;
        }
        if label_error.is_none() {
            let label = &bytes[start..end];
            label_error = if label.is_empty() {
                Some(HostError::EmptyLabel)
            } else if label.len() > 63 {
                Some(HostError::LongLabel(start, end))
            } else if label[0] == b'-' || label[label.len() - 1] == b'-' {
                Some(HostError::Hyphen(start, end))
            } else {
                None
            };
        }
        start = end + 1;
    }
    let last = last_label(bytes);
    if !last.is_empty() && (last.iter().all(u8::is_ascii_digit) || last.starts_with(b"0x")) {
        // The standard library refuses leading zeros and short forms, so a parsed address is
        // in its canonical dotted form.
        return match host.parse::<Ipv4Addr>() {
            Ok(_) => Ok(Host::Ipv4),
            Err(_) => Err(HostError::NotIpv4),
        };
    }
    match label_error {
        Some(error) => Err(error),
        None => Ok(Host::Domain),
    }
}

pub(crate) fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host.parse::<Ipv4Addr>().is_ok_and(|a| a.is_loopback())
}

/// A stack buffer for a serialized IPv6 address, so parsing a request never allocates.
pub(crate) struct Ipv6Buf {
    bytes: [u8; 48],
    len: usize,
}

impl Ipv6Buf {
    pub(crate) fn new() -> Self {
        Ipv6Buf {
            bytes: [0; 48],
            len: 0,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl fmt::Write for Ipv6Buf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.bytes.len() {
            return Err(fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// `[addr]` serialized as the URL Standard does: lower-case hex, no leading zeros, the first
/// longest run of two or more zero pieces compressed to `::`, never a dotted IPv4 tail.
pub(crate) fn canonical_ipv6<'b>(bracketed: &str, buf: &'b mut Ipv6Buf) -> Option<&'b str> {
    let inner = bracketed.strip_prefix('[')?.strip_suffix(']')?;
    let addr: Ipv6Addr = inner.parse().ok()?;
    let pieces = addr.segments();
    let (mut best_start, mut best_len) = (usize::MAX, 1);
    let mut i = 0;
    while i < 8 {
        if pieces[i] == 0 {
            let start = i;
            while i < 8 && pieces[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                best_start = start;
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    buf.write_char('[').ok()?;
    let mut i = 0;
    while i < 8 {
        if i == best_start {
            buf.write_str(if i == 0 { "::" } else { ":" }).ok()?;
            i += best_len;
            continue;
        }
        write!(buf, "{:x}", pieces[i]).ok()?;
        if i < 7 {
            buf.write_char(':').ok()?;
        }
        i += 1;
    }
    buf.write_char(']').ok()?;
    Some(buf.as_str())
}

/// A request host already validated by [`classify_host`] is an IPv4 address exactly when its
/// last label is all digits.
pub(crate) fn classify_is_ipv4(host: &str) -> bool {
    last_label(host.as_bytes()).iter().all(u8::is_ascii_digit)
}

/// The part of a host after its last `.` (all of it when there is none).
pub(crate) fn last_label(host: &[u8]) -> &[u8] {
    &host[host
        .iter()
        .rposition(|&b| b == b'.')
        .map_or(0, |dot| dot + 1)..]
}
