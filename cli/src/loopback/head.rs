//! One connection to the loopback listener: its request head read under a
//! deadline, checked, and answered with a small page.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use subtle::ConstantTimeEq as _;
use url::Url;

use crate::authz::Response;

/// The most a request head may have: a redirect carries a few hundred bytes.
const HEAD_LIMIT: usize = 16 * 1024;

/// What a connection must carry to be the awaited authorization response.
#[derive(Clone)]
pub(super) struct Expected {
    pub(super) path: String,
    pub(super) state: String,
}

/// Reads one request before `deadline`, answers it, and returns the
/// authorization response if it is the awaited one: a GET of the expected
/// path whose `state` equals the expected one (compared in constant time).
/// Anything else gets a 400 (or 404) page.
pub(super) fn handle(
    mut stream: TcpStream,
    expected: &Expected,
    deadline: Instant,
) -> Option<Response> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let Some(target) = read_target(&mut stream, deadline) else {
        reply(
            &mut stream,
            "400 Bad Request",
            "This is not a request pkce can read.",
        );
        return None;
    };
    let url = match Url::parse("http://127.0.0.1/").and_then(|base| base.join(&target)) {
        Ok(url) if url.path() == expected.path => url,
        _ => {
            reply(&mut stream, "404 Not Found", "Not found.");
            return None;
        }
    };
    let response = Response::from_redirect(&url);
    // RFC 6749 §10.12: only the response carrying this request's state is
    // ours; a missing state is as foreign as a wrong one.
    let ours = response
        .state
        .as_deref()
        .is_some_and(|got| bool::from(got.as_bytes().ct_eq(expected.state.as_bytes())));
    if !ours {
        reply(
            &mut stream,
            "400 Bad Request",
            "This response does not carry the state of the pending authorization request: ignored.",
        );
        return None;
    }
    let text = match &response.error {
        Some(_) => {
            "The authorization server returned an error. Return to the terminal for details."
        }
        None => {
            "Authorization response received. You can close this tab and return to the terminal."
        }
    };
    reply(&mut stream, "200 OK", text);
    Some(response)
}

/// The request target of a `GET` request line, once the whole head has
/// arrived (RFC 9112 §3) before `deadline`: a client that trickles bytes
/// is cut off there, whatever its pace.
fn read_target(stream: &mut TcpStream, deadline: Instant) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let left = deadline.checked_duration_since(Instant::now())?;
        if left.is_zero() {
            return None;
        }
        stream.set_read_timeout(Some(left)).ok()?;
        let n = stream.read(&mut buf).ok()?;
        if n == 0 || head.len() + n > HEAD_LIMIT {
            return None;
        }
        head.extend_from_slice(buf.get(..n)?);
    }
    parse_request_line(std::str::from_utf8(&head).ok()?)
}

pub(super) fn parse_request_line(head: &str) -> Option<String> {
    let line = head.lines().next()?;
    let mut parts = line.split(' ');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("GET"), Some(target), Some(version), None)
            if target.starts_with('/') && version.starts_with("HTTP/1.") =>
        {
            Some(target.to_owned())
        }
        _ => None,
    }
}

/// A small page; nothing from the request is echoed into it.
fn reply(stream: &mut TcpStream, status: &str, text: &str) {
    let body =
        format!("<!doctype html>\n<meta charset=\"utf-8\">\n<title>pkce</title>\n<p>{text}</p>\n");
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}
