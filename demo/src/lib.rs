//! A small OAuth 2 authorization server over HTTP that applies
//! [`proofkey::Policy`] as its rustdoc's server guide says.
//!
//! * `GET /authorize`: authorization code grant (RFC 6749 §4.1.1) with PKCE
//!   (RFC 7636 §4.3). There is no login or consent screen: every valid
//!   request is approved at once, and the redirect carries `code`, `state`
//!   (exactly as received) and `iss` (RFC 9207). A challenge that the same
//!   client sent within the last [`CHALLENGE_REUSE_WINDOW`] is refused
//!   (`invalid_request`, RFC 9700 §2.1.1), by a [`proofkey::ReuseGuard`].
//!   Each client holds at most [`AuthServer::codes_per_client`] unexpired
//!   codes (`temporarily_unavailable` past that, for that client only),
//!   checked *before* the challenge is recorded, so refused requests
//!   cannot flush the record of earlier challenges.
//! * Codes, quotas and challenge fingerprints live in a [`Store`]: this
//!   process by default, or Redis or PostgreSQL shared by several
//!   instances. A store that fails answers `temporarily_unavailable`
//!   (503 at the token endpoint), never a token.
//! * `POST /token`: the code exchange (RFC 6749 §4.1.3, RFC 7636 §4.5),
//!   with `client_secret_basic` or `client_secret_post` for the confidential
//!   client and `none` for the public one.
//! * `GET /.well-known/oauth-authorization-server`: the server metadata
//!   (RFC 8414).
//! * `GET|POST /mcp` and `GET /.well-known/oauth-protected-resource/mcp`:
//!   an MCP-style protected resource and its RFC 9728 metadata (see
//!   [`mcp`]). `resource` (RFC 8707) is accepted at `/authorize` and
//!   `/token`, bound to the code and to the access token's audience.
//!
//! Two clients are registered: [`SPA_CLIENT_ID`] (public, redirect to
//! `http://127.0.0.1:<any port>/callback` or [`spa::CALLBACK_PATH`],
//! RFC 8252 §7.3) and
//! [`BACKEND_CLIENT_ID`] (confidential, [`BACKEND_SECRET`],
//! redirect [`BACKEND_REDIRECT_URI`]).
//!
//! Every decision is logged, one line each (see [`LogCapture`]).
//! [`Weakness`] makes a deliberately broken server, to test PKCE probes.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! let app = demo::app(proofkey::Policy::production(), "http://127.0.0.1:8080");
//! axum::serve(listener, app).await
//! # }
//! ```

mod authorize;
mod client_auth;
mod clients;
mod codes;
mod consume;
mod http;
mod log;
pub mod mcp;
mod metadata;
mod resource;
mod reuse;
pub mod spa;
mod store;
mod token;
mod weaken;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use proofkey::Policy;

pub use clients::{
    BACKEND_CLIENT_ID, BACKEND_REDIRECT_URI, BACKEND_SECRET, SPA_CLIENT_ID, SPA_REDIRECT_PATH,
};
pub use log::LogCapture;
pub use store::{Store, StoreUnavailable};
pub use weaken::{UnknownWeakness, Weakness};

/// How long an authorization code can be redeemed (RFC 6749 §4.1.2: 10 minutes at most).
pub const CODE_LIFETIME: Duration = Duration::from_secs(600);
/// `expires_in` of the access tokens, in seconds.
pub const ACCESS_TOKEN_LIFETIME_SECS: u64 = 3600;
/// How many unexpired codes one client may hold by default. With two
/// registered clients, the server holds at most 2000 codes.
pub const DEFAULT_CODES_PER_CLIENT: usize = 1000;
/// How long a (client, challenge) pair is remembered, to refuse it if the
/// client sends it again (RFC 9700 §2.1.1: constant PKCE challenges).
pub const CHALLENGE_REUSE_WINDOW: Duration = Duration::from_secs(3600);

/// The authorization server with default settings, rooted at `issuer`
/// (for example `http://127.0.0.1:8080`, no trailing slash needed).
pub fn app(policy: Policy, issuer: &str) -> Router {
    AuthServer::new(policy, issuer).router()
}

/// [`app`], deliberately broken by `weakness` if it is `Some` (for testing
/// PKCE probes only; see [`Weakness`]). `app_with(p, i, None)` is `app(p, i)`.
///
/// ```
/// let app = demo::app_with(
///     proofkey::Policy::production(),
///     "http://127.0.0.1:8080",
///     Some(demo::Weakness::Downgrade),
/// );
/// # drop(app);
/// ```
pub fn app_with(policy: Policy, issuer: &str, weakness: Option<Weakness>) -> Router {
    AuthServer::new(policy, issuer).weaken(weakness).router()
}

/// The authorization server's settings.
#[derive(Debug, Clone)]
pub struct AuthServer {
    policy: Policy,
    issuer: String,
    code_lifetime: Duration,
    codes_per_client: usize,
    weakness: Option<Weakness>,
    log: log::Log,
    store: Option<Store>,
    reuse_key: Option<reuse::Key>,
    resources: Option<Vec<String>>,
}

impl AuthServer {
    /// A server with `policy`, whose metadata names `issuer` and the
    /// endpoints under it; codes live [`CODE_LIFETIME`], at most
    /// [`DEFAULT_CODES_PER_CLIENT`] per client; the log goes to stderr.
    #[must_use]
    pub fn new(policy: Policy, issuer: &str) -> Self {
        Self {
            policy,
            issuer: issuer.trim_end_matches('/').to_owned(),
            code_lifetime: CODE_LIFETIME,
            codes_per_client: DEFAULT_CODES_PER_CLIENT,
            weakness: None,
            log: log::Log::Stderr,
            store: None,
            reuse_key: None,
            resources: None,
        }
    }

    /// Sets how long a code can be redeemed (tests use a short one; at
    /// least 1 ms, as the stores refuse a zero time to live).
    #[must_use]
    pub fn code_lifetime(self, lifetime: Duration) -> Self {
        Self {
            code_lifetime: lifetime.max(Duration::from_millis(1)),
            ..self
        }
    }

    /// Sets how many unexpired codes one client may hold; past that, its
    /// authorization requests get `temporarily_unavailable` until some are
    /// redeemed or expire, while the other clients still get codes. The
    /// server holds at most (registered clients) × `quota` codes.
    #[must_use]
    pub fn codes_per_client(self, quota: usize) -> Self {
        Self {
            codes_per_client: quota,
            ..self
        }
    }

    /// Breaks one PKCE rule on purpose (`None`: the strict server). For
    /// testing probes and clients only: see [`Weakness`].
    #[must_use]
    pub fn weaken(self, weakness: Option<Weakness>) -> Self {
        Self { weakness, ..self }
    }

    /// Keeps codes, quotas and challenge fingerprints in `store` (default:
    /// a new in-process store). Give every instance on a shared store the
    /// same [`reuse_key`](Self::reuse_key).
    #[must_use]
    pub fn store(self, store: Store) -> Self {
        Self {
            store: Some(store),
            ..self
        }
    }

    /// The secret key of the challenge fingerprints
    /// ([`proofkey::ReuseGuard::fingerprint`]): the same on every instance
    /// that shares a store (default: random, this process only).
    #[must_use]
    pub fn reuse_key(self, key: [u8; 32]) -> Self {
        Self {
            reuse_key: Some(reuse::Key(key)),
            ..self
        }
    }

    /// Issues codes only for these resources (RFC 8707), as a server with
    /// registered resources does, and refuses any other with
    /// `invalid_target`; a request without `resource` is still served.
    /// Default: any absolute URI. `Some(vec![])` is a server that knows no
    /// resource, which an MCP client cannot use (`pkce probe --profile mcp`
    /// fails its `resource` check).
    #[must_use]
    pub fn resources(self, served: Option<Vec<String>>) -> Self {
        Self {
            resources: served,
            ..self
        }
    }

    /// Sends the decision log to `capture` instead of stderr.
    #[must_use]
    pub fn log_to(self, capture: LogCapture) -> Self {
        Self {
            log: log::Log::Capture(capture),
            ..self
        }
    }

    /// The `axum` router of the endpoints.
    pub fn router(self) -> Router {
        let store = self
            .store
            .clone()
            .unwrap_or_else(Store::memory)
            .with_quota(self.codes_per_client);
        let state = Arc::new(AppState {
            store,
            reuse: reuse::Reuse::new(self.reuse_key),
            tokens: resource::Tokens::new(Duration::from_secs(ACCESS_TOKEN_LIFETIME_SECS)),
            log: self.log.clone(),
            settings: self,
        });
        Router::new()
            .route("/authorize", get(authorize::authorize))
            .route("/token", post(token::token))
            .route(
                "/.well-known/oauth-authorization-server",
                get(metadata::metadata),
            )
            .route(mcp::MCP_PATH, get(mcp::mcp).post(mcp::mcp))
            .route(mcp::RESOURCE_METADATA_PATH, get(mcp::metadata))
            .merge(spa::routes())
            .with_state(state)
    }
}

/// What the endpoints share.
struct AppState {
    settings: AuthServer,
    store: Store,
    reuse: reuse::Reuse,
    /// The access tokens issued, with their audiences (for `/mcp`).
    tokens: resource::Tokens,
    log: log::Log,
}
