//! The loopback redirect receiver of a native app (RFC 8252 §7.3): a
//! listener on `127.0.0.1`, one GET of the redirect URI's path read per
//! authorization response, a small page sent back, the connection closed.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::thread::sleep;
use std::time::{Duration, Instant};

use url::{Host, Url};

use crate::authz::Response;
use crate::fail::Failure;

/// The redirect URI's path when the tool picks the URI.
const DEFAULT_PATH: &str = "/callback";
/// How long one connection may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// The most a request head may have: a redirect carries a few hundred bytes.
const HEAD_LIMIT: usize = 16 * 1024;
/// How often the non-blocking listener is polled.
const POLL: Duration = Duration::from_millis(20);

pub(crate) struct Loopback {
    listener: TcpListener,
    redirect_uri: Url,
}

impl Loopback {
    /// A listener on `127.0.0.1` with a port the OS chooses (RFC 8252
    /// §7.3), for `http://127.0.0.1:<port>/callback`.
    pub(crate) fn bind_any() -> Result<Self, Failure> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| {
            Failure::network(format!("cannot listen on 127.0.0.1 for the redirect: {e}"))
        })?;
        let port = local_port(&listener)?;
        let redirect_uri = Url::parse(&format!("http://127.0.0.1:{port}{DEFAULT_PATH}"))
            .map_err(|e| Failure::usage(e.to_string()))?;
        Self::new(listener, redirect_uri)
    }

    /// A listener for a redirect URI the user chose: `http` on
    /// `127.0.0.1`, `[::1]` or `localhost`, with a port (0: any free one).
    pub(crate) fn bind_for(uri: &str) -> Result<Self, Failure> {
        let url = Url::parse(uri)
            .map_err(|e| Failure::usage(format!("the redirect URI is not a URL: {e}")))?;
        let ip: std::net::IpAddr = match url.host() {
            Some(Host::Ipv4(ip)) if ip.is_loopback() => ip.into(),
            Some(Host::Ipv6(ip)) if ip == Ipv6Addr::LOCALHOST => ip.into(),
            Some(Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => {
                Ipv4Addr::LOCALHOST.into()
            }
            _ => {
                return Err(Failure::usage(format!(
                    "the redirect URI {uri} is not a loopback URI (http://127.0.0.1:PORT/path): pkce can only receive redirects on this machine"
                )));
            }
        };
        if url.scheme() != "http" || url.query().is_some() || url.fragment().is_some() {
            return Err(Failure::usage(format!(
                "the redirect URI {uri} must be http://127.0.0.1:PORT/path, without query or fragment (RFC 8252 §7.3)"
            )));
        }
        let port = url.port().unwrap_or(80);
        let listener = TcpListener::bind(SocketAddr::new(ip, port)).map_err(|e| {
            Failure::network(format!(
                "cannot listen on {ip}:{port} for the redirect: {e}"
            ))
        })?;
        let mut redirect_uri = url;
        if port == 0 {
            let chosen = local_port(&listener)?;
            redirect_uri
                .set_port(Some(chosen))
                .map_err(|()| Failure::usage("the redirect URI cannot take a port"))?;
        }
        Self::new(listener, redirect_uri)
    }

    fn new(listener: TcpListener, redirect_uri: Url) -> Result<Self, Failure> {
        listener
            .set_nonblocking(true)
            .map_err(|e| Failure::network(format!("cannot poll the redirect listener: {e}")))?;
        Ok(Self {
            listener,
            redirect_uri,
        })
    }

    pub(crate) fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    /// Waits up to `timeout` for a GET of the redirect URI's path whose
    /// `state` is `expected_state` (or absent), or any `state` if
    /// `expected_state` is `None`. Other requests get a 404 or 400 page
    /// and the wait goes on. `Ok(None)`: nothing came in time.
    pub(crate) fn wait(
        &self,
        timeout: Duration,
        expected_state: Option<&str>,
    ) -> Result<Option<Response>, Failure> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Some(response) = self.handle(stream, expected_state) {
                        return Ok(Some(response));
                    }
                }
                Err(e)
                    if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::Interrupted =>
                {
                    if Instant::now() >= deadline {
                        return Ok(None);
                    }
                    sleep(POLL);
                }
                Err(e) => {
                    return Err(Failure::network(format!(
                        "the redirect listener failed: {e}"
                    )));
                }
            }
        }
    }

    /// Reads one request, answers it, and returns the authorization
    /// response if it is the awaited one.
    fn handle(&self, mut stream: TcpStream, expected_state: Option<&str>) -> Option<Response> {
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
        let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
        let Some(target) = read_target(&mut stream) else {
            reply(
                &mut stream,
                "400 Bad Request",
                "This is not a request pkce can read.",
            );
            return None;
        };
        let url = match Url::parse("http://127.0.0.1/").and_then(|base| base.join(&target)) {
            Ok(url) if url.path() == self.redirect_uri.path() => url,
            _ => {
                reply(&mut stream, "404 Not Found", "Not found.");
                return None;
            }
        };
        let response = Response::from_redirect(&url);
        let foreign = matches!(
            (expected_state, response.state.as_deref()),
            (Some(expected), Some(got)) if expected != got
        );
        if foreign {
            reply(
                &mut stream,
                "400 Bad Request",
                "This response belongs to another authorization request.",
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
}

fn local_port(listener: &TcpListener) -> Result<u16, Failure> {
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| Failure::network(format!("cannot read the listener's port: {e}")))
}

/// The request target of a `GET` request line, once the whole head has
/// arrived (RFC 9112 §3).
fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 || head.len() + n > HEAD_LIMIT {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    parse_request_line(std::str::from_utf8(&head).ok()?)
}

fn parse_request_line(head: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_line() {
        assert_eq!(
            parse_request_line("GET /callback?code=x HTTP/1.1\r\nHost: a\r\n\r\n").as_deref(),
            Some("/callback?code=x")
        );
        for bad in [
            "POST /callback HTTP/1.1",
            "GET callback HTTP/1.1",
            "GET /a b HTTP/1.1",
            "GET /a SPDY",
        ] {
            assert_eq!(parse_request_line(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_loopback_redirect_uris_are_bound() {
        for bad in [
            "https://127.0.0.1:0/cb",
            "http://192.0.2.1:0/cb",
            "http://example.com:0/cb",
            "http://127.0.0.1:0/cb?x=1",
        ] {
            assert!(Loopback::bind_for(bad).is_err(), "{bad}");
        }
        let any = Loopback::bind_for("http://127.0.0.1:0/cb").unwrap();
        assert_ne!(any.redirect_uri().port(), Some(0));
        assert_eq!(any.redirect_uri().path(), "/cb");
    }
}
