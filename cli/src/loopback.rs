//! The loopback redirect receiver of a native app (RFC 8252 §7.3): a
//! listener on `127.0.0.1` (both loopback families for `localhost`), the
//! one GET of the redirect URI's path with the pending request's `state`
//! taken as the authorization response; anything else gets an error page
//! and the wait goes on.

mod head;

use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::mpsc::{Sender, channel};
use std::thread::{self, sleep};
use std::time::{Duration, Instant};

use url::{Host, Url};

use crate::authz::Response;
use crate::fail::Failure;
use head::Expected;

/// The redirect URI's path when the tool picks the URI.
const DEFAULT_PATH: &str = "/callback";
/// How long one connection may take to send its request head (never past
/// the wait's own deadline).
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections read at the same time; more are closed at once.
const MAX_READERS: usize = 32;
/// How often the non-blocking listeners are polled.
const POLL: Duration = Duration::from_millis(20);
/// Tries to find a port free on both loopback addresses (`localhost`, port 0).
const DUAL_TRIES: usize = 20;

pub(crate) struct Loopback {
    /// One listener, or two for `localhost` (127.0.0.1 and [::1], same port).
    listeners: Vec<TcpListener>,
    redirect_uri: Url,
}

impl Loopback {
    /// A listener on `127.0.0.1` with a port the OS chooses (RFC 8252
    /// §7.3), for `http://127.0.0.1:<port>/callback`.
    pub(crate) fn bind_any() -> Result<Self, Failure> {
        let listener = bind(Ipv4Addr::LOCALHOST.into(), 0)?;
        let port = local_port(&listener)?;
        let redirect_uri = Url::parse(&format!("http://127.0.0.1:{port}{DEFAULT_PATH}"))
            .map_err(|e| Failure::usage(e.to_string()))?;
        Self::new(vec![listener], redirect_uri)
    }

    /// A listener for a redirect URI the user chose: `http` on
    /// `127.0.0.1`, `[::1]` or `localhost`, with a port (0: any free one).
    /// `localhost` gets both `127.0.0.1` and `[::1]` on one port, or is
    /// refused: a browser may resolve it to either, and a port held on
    /// one family only can be taken on the other (RFC 8252 §8.3).
    pub(crate) fn bind_for(uri: &str) -> Result<Self, Failure> {
        let url = Url::parse(uri)
            .map_err(|e| Failure::usage(format!("the redirect URI is not a URL: {e}")))?;
        let ip: Option<IpAddr> = match url.host() {
            Some(Host::Ipv4(ip)) if ip.is_loopback() => Some(ip.into()),
            Some(Host::Ipv6(ip)) if ip == Ipv6Addr::LOCALHOST => Some(ip.into()),
            Some(Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => None,
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
        let listeners = match ip {
            Some(ip) => vec![bind(ip, port)?],
            None => bind_both(uri, port)?,
        };
        let mut redirect_uri = url;
        if port == 0 {
            let chosen = listeners.first().map_or(Ok(0), local_port)?;
            redirect_uri
                .set_port(Some(chosen))
                .map_err(|()| Failure::usage("the redirect URI cannot take a port"))?;
        }
        Self::new(listeners, redirect_uri)
    }

    fn new(listeners: Vec<TcpListener>, redirect_uri: Url) -> Result<Self, Failure> {
        for listener in &listeners {
            listener
                .set_nonblocking(true)
                .map_err(|e| Failure::network(format!("cannot poll the redirect listener: {e}")))?;
        }
        Ok(Self {
            listeners,
            redirect_uri,
        })
    }

    pub(crate) fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    /// Waits up to `timeout` for a GET of the redirect URI's path whose
    /// `state` is `state`. Every other request gets a 400 or 404 page and
    /// the wait goes on. Each connection is read on a thread of its own,
    /// with a deadline for its request head that never passes the wait's:
    /// a slow or silent client neither blocks the others nor extends the
    /// wait. `Ok(None)`: nothing came in time.
    pub(crate) fn wait(&self, timeout: Duration, state: &str) -> Result<Option<Response>, Failure> {
        let deadline = Instant::now() + timeout;
        let expected = Expected {
            path: self.redirect_uri.path().to_owned(),
            state: state.to_owned(),
        };
        let (tx, rx) = channel();
        let readers = Arc::new(());
        loop {
            let mut idle = true;
            for listener in &self.listeners {
                match listener.accept() {
                    Ok((stream, _)) => {
                        idle = false;
                        // The clones of `readers` count the live threads.
                        if Arc::strong_count(&readers) <= MAX_READERS {
                            let head_deadline = (Instant::now() + HEAD_TIMEOUT).min(deadline);
                            spawn_reader(stream, &expected, head_deadline, tx.clone(), &readers);
                        }
                    }
                    Err(e)
                        if e.kind() == ErrorKind::WouldBlock
                            || e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => {
                        return Err(Failure::network(format!(
                            "the redirect listener failed: {e}"
                        )));
                    }
                }
            }
            if let Ok(response) = rx.try_recv() {
                return Ok(Some(response));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            if idle {
                sleep(POLL);
            }
        }
    }
}

fn spawn_reader(
    stream: std::net::TcpStream,
    expected: &Expected,
    deadline: Instant,
    tx: Sender<Response>,
    readers: &Arc<()>,
) {
    let expected = expected.clone();
    let token = Arc::clone(readers);
    thread::spawn(move || {
        let _token = token;
        if let Some(response) = head::handle(stream, &expected, deadline) {
            let _ = tx.send(response);
        }
    });
}

fn bind(ip: IpAddr, port: u16) -> Result<TcpListener, Failure> {
    TcpListener::bind(SocketAddr::new(ip, port)).map_err(|e| {
        Failure::network(format!(
            "cannot listen on {} for the redirect: {e}",
            SocketAddr::new(ip, port)
        ))
    })
}

/// `127.0.0.1` and `[::1]` on one port (`port`, or one free on both).
fn bind_both(uri: &str, port: u16) -> Result<Vec<TcpListener>, Failure> {
    let refuse = |e: Failure| {
        Failure::usage(format!(
            "the redirect URI {uri} names localhost, which a browser may resolve to 127.0.0.1 or [::1], but pkce cannot hold the port on both ({e}); RFC 8252 §8.3: use http://127.0.0.1:PORT/path instead"
        ))
    };
    let mut last = None;
    for _ in 0..DUAL_TRIES {
        let v4 = bind(Ipv4Addr::LOCALHOST.into(), port).map_err(refuse)?;
        let chosen = local_port(&v4)?;
        match bind(Ipv6Addr::LOCALHOST.into(), chosen) {
            Ok(v6) => return Ok(vec![v4, v6]),
            // A fixed port taken on [::1]: trying again changes nothing.
            Err(e) if port != 0 => return Err(refuse(e)),
            Err(e) => last = Some(e),
        }
    }
    Err(refuse(last.unwrap_or_else(|| {
        Failure::network("no port free on both")
    })))
}

fn local_port(listener: &TcpListener) -> Result<u16, Failure> {
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| Failure::network(format!("cannot read the listener's port: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_line() {
        assert_eq!(
            head::parse_request_line("GET /callback?code=x HTTP/1.1\r\nHost: a\r\n\r\n").as_deref(),
            Some("/callback?code=x")
        );
        for bad in [
            "POST /callback HTTP/1.1",
            "GET callback HTTP/1.1",
            "GET /a b HTTP/1.1",
            "GET /a SPDY",
        ] {
            assert_eq!(head::parse_request_line(bad), None, "{bad}");
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

    #[test]
    fn localhost_holds_the_port_on_both_families_or_is_refused() {
        match Loopback::bind_for("http://localhost:0/cb") {
            Ok(both) => {
                let ports: Vec<u16> = both
                    .listeners
                    .iter()
                    .map(|l| local_port(l).unwrap())
                    .collect();
                assert_eq!(ports.len(), 2);
                assert_eq!(ports[0], ports[1]);
                assert_eq!(both.redirect_uri().port(), Some(ports[0]));
                assert!(both.listeners[1].local_addr().unwrap().is_ipv6());
            }
            // A machine without IPv6 loopback: refused, with the reason.
            Err(e) => assert!(e.message.contains("RFC 8252 §8.3"), "{e}"),
        }
    }
}
