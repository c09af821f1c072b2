//! A small OAuth 2 authorization server over HTTP that applies
//! [`proofkey::Policy`] as its rustdoc's server guide says.
//!
//! * `GET /authorize`: authorization code grant (RFC 6749 §4.1.1) with PKCE
//!   (RFC 7636 §4.3). There is no login or consent screen: every valid
//!   request is approved at once.
//! * `POST /token`: the code exchange (RFC 6749 §4.1.3, RFC 7636 §4.5),
//!   with `client_secret_basic` or `client_secret_post` for the confidential
//!   client and `none` for the public one.
//! * `GET /.well-known/oauth-authorization-server`: the server metadata
//!   (RFC 8414).
//!
//! Two clients are registered: [`SPA_CLIENT_ID`] (public, redirect to
//! `http://127.0.0.1:<any port>/callback` or [`spa::CALLBACK_PATH`],
//! RFC 8252 §7.3) and
//! [`BACKEND_CLIENT_ID`] (confidential, [`BACKEND_SECRET`],
//! redirect [`BACKEND_REDIRECT_URI`]).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! let app = demo::app(proofkey::Policy::production(), "http://127.0.0.1:8080");
//! axum::serve(listener, app).await
//! # }
//! ```

mod authorize;
mod clients;
pub mod spa;
mod token;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proofkey::{ChallengeMethod, Policy};
use serde_json::json;

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

/// How long an authorization code can be redeemed (RFC 6749 §4.1.2: 10 minutes at most).
pub const CODE_LIFETIME: Duration = Duration::from_secs(600);
/// `expires_in` of the access tokens, in seconds.
pub const ACCESS_TOKEN_LIFETIME_SECS: u64 = 3600;
/// At most this many unexpired codes are held; past that, `/authorize`
/// answers `temporarily_unavailable` rather than grow without bound.
const MAX_LIVE_CODES: usize = 10_000;

/// The authorization server with default settings, rooted at `issuer`
/// (for example `http://127.0.0.1:8080`, no trailing slash needed).
pub fn app(policy: Policy, issuer: &str) -> Router {
    AuthServer::new(policy, issuer).router()
}

/// The authorization server's settings.
#[derive(Debug, Clone)]
pub struct AuthServer {
    policy: Policy,
    issuer: String,
    code_lifetime: Duration,
}

impl AuthServer {
    /// A server with `policy`, whose metadata names `issuer` and the
    /// endpoints under it; codes live [`CODE_LIFETIME`].
    #[must_use]
    pub fn new(policy: Policy, issuer: &str) -> Self {
        Self {
            policy,
            issuer: issuer.trim_end_matches('/').to_owned(),
            code_lifetime: CODE_LIFETIME,
        }
    }

    /// Sets how long a code can be redeemed (tests use a short one).
    #[must_use]
    pub fn code_lifetime(self, lifetime: Duration) -> Self {
        Self {
            code_lifetime: lifetime,
            ..self
        }
    }

    /// The `axum` router of the three endpoints.
    pub fn router(self) -> Router {
        let state = Arc::new(AppState {
            settings: self,
            codes: Mutex::new(HashMap::new()),
        });
        Router::new()
            .route("/authorize", get(authorize::authorize))
            .route("/token", post(token::token))
            .route("/.well-known/oauth-authorization-server", get(metadata))
            .merge(spa::routes())
            .with_state(state)
    }
}

/// Everything the token endpoint needs about a code, stored in one record
/// (server guide step 2): the PKCE binding is never looked up elsewhere.
struct CodeRecord {
    client_id: &'static str,
    redirect_uri: String,
    /// `Some((challenge value, method))`, or `None` for "no PKCE".
    challenge: Option<(String, ChallengeMethod)>,
    expires_at: Instant,
}

struct AppState {
    settings: AuthServer,
    codes: Mutex<HashMap<String, CodeRecord>>,
}

impl AppState {
    fn codes(&self) -> std::sync::MutexGuard<'_, HashMap<String, CodeRecord>> {
        self.codes.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// 32 random octets, base64url: 256 bits, for codes and access tokens.
fn random_token() -> Result<String, getrandom::Error> {
    let mut octets = [0u8; 32];
    getrandom::fill(&mut octets)?;
    Ok(URL_SAFE_NO_PAD.encode(octets))
}

/// The only value of parameter `name`, `Ok(None)` if absent or empty
/// (RFC 6749 §3.1), `Err(name)` if it appears more than once.
fn single<'a>(
    pairs: &'a [(String, String)],
    name: &'static str,
) -> Result<Option<&'a str>, &'static str> {
    let mut found = None;
    for (n, v) in pairs {
        if n == name && found.replace(v.as_str()).is_some() {
            return Err(name);
        }
    }
    Ok(found.filter(|v| !v.is_empty()))
}

// ----------------------------------------------------------------- metadata

async fn metadata(State(s): State<Arc<AppState>>) -> Response {
    let issuer = &s.settings.issuer;
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": s.settings.policy.methods_supported(),
        "authorization_response_iss_parameter_supported": true,
    }))
    .into_response()
}
