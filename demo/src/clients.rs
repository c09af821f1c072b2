//! The registered clients (RFC 6749 §2) and their redirect URIs.

use std::net::{Ipv4Addr, Ipv6Addr};

use proofkey::ClientType;
use url::Url;

/// The public client: a browser or native app that cannot keep a secret.
pub const SPA_CLIENT_ID: &str = "spa";
/// The path of the public client's loopback redirect URI: any port of
/// `http://127.0.0.1` or `http://[::1]` (RFC 8252 §7.3).
pub const SPA_REDIRECT_PATH: &str = "/callback";
/// The confidential client: a web backend that authenticates to `/token`.
pub const BACKEND_CLIENT_ID: &str = "backend";
/// The confidential client's secret. A demo value: real secrets are not in source code.
pub const BACKEND_SECRET: &str = "backend-secret";
/// The confidential client's only registered redirect URI. Nothing listens
/// there: the flow only needs the `code` that the redirect carries.
pub const BACKEND_REDIRECT_URI: &str = "https://backend.example.com/callback";

/// A registered client (RFC 6749 §2).
pub(crate) struct Client {
    pub(crate) id: &'static str,
    pub(crate) kind: ClientType,
    pub(crate) secret: Option<&'static str>,
    pub(crate) redirect: RedirectRule,
}

pub(crate) enum RedirectRule {
    /// Simple string comparison (RFC 6749 §3.1.2.3).
    Exact(&'static str),
    /// `http://127.0.0.1:<port><path>` or `http://[::1]:<port><path>`, any
    /// port (RFC 8252 §7.3) and any of these paths, in canonical form, no
    /// query or fragment.
    LoopbackAnyPort(&'static [&'static str]),
}

impl RedirectRule {
    pub(crate) fn matches(&self, uri: &str) -> bool {
        match self {
            Self::Exact(registered) => *registered == uri,
            Self::LoopbackAnyPort(paths) => Url::parse(uri).is_ok_and(|url| {
                let loopback = matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip == Ipv4Addr::LOCALHOST)
                    || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip == Ipv6Addr::LOCALHOST);
                url.scheme() == "http"
                    && loopback
                    && url.username().is_empty()
                    && url.password().is_none()
                    && paths.contains(&url.path())
                    && url.query().is_none()
                    && url.fragment().is_none()
                    // no alternative spellings of the same URI
                    && url.as_str() == uri
            }),
        }
    }
}

const CLIENTS: &[Client] = &[
    Client {
        id: SPA_CLIENT_ID,
        kind: ClientType::Public,
        secret: None,
        redirect: RedirectRule::LoopbackAnyPort(&[SPA_REDIRECT_PATH, crate::spa::CALLBACK_PATH]),
    },
    Client {
        id: BACKEND_CLIENT_ID,
        kind: ClientType::Confidential,
        secret: Some(BACKEND_SECRET),
        redirect: RedirectRule::Exact(BACKEND_REDIRECT_URI),
    },
];

pub(crate) fn find_client(id: &str) -> Option<&'static Client> {
    CLIENTS.iter().find(|c| c.id == id)
}
