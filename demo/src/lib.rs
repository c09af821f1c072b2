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
//! `http://127.0.0.1:<any port>/callback`, RFC 8252 §7.3) and
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

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION, PRAGMA,
    WWW_AUTHENTICATE,
};
use axum::response::{Html, IntoResponse, Json, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use proofkey::{ChallengeMethod, ClientType, CodeChallenge, Policy, TokenError};
use serde_json::json;
use subtle::ConstantTimeEq as _;
use url::{Url, form_urlencoded};

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
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/.well-known/oauth-authorization-server", get(metadata))
            .with_state(state)
    }
}

/// A registered client (RFC 6749 §2).
struct Client {
    id: &'static str,
    kind: ClientType,
    secret: Option<&'static str>,
    redirect: RedirectRule,
}

enum RedirectRule {
    /// Simple string comparison (RFC 6749 §3.1.2.3).
    Exact(&'static str),
    /// `http://127.0.0.1:<port><path>` or `http://[::1]:<port><path>`, any
    /// port (RFC 8252 §7.3), in canonical form, no query or fragment.
    LoopbackAnyPort(&'static str),
}

impl RedirectRule {
    fn matches(&self, uri: &str) -> bool {
        match self {
            Self::Exact(registered) => *registered == uri,
            Self::LoopbackAnyPort(path) => Url::parse(uri).is_ok_and(|url| {
                let loopback = matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip == Ipv4Addr::LOCALHOST)
                    || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip == Ipv6Addr::LOCALHOST);
                url.scheme() == "http"
                    && loopback
                    && url.username().is_empty()
                    && url.password().is_none()
                    && url.path() == *path
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
        redirect: RedirectRule::LoopbackAnyPort(SPA_REDIRECT_PATH),
    },
    Client {
        id: BACKEND_CLIENT_ID,
        kind: ClientType::Confidential,
        secret: Some(BACKEND_SECRET),
        redirect: RedirectRule::Exact(BACKEND_REDIRECT_URI),
    },
];

fn find_client(id: &str) -> Option<&'static Client> {
    CLIENTS.iter().find(|c| c.id == id)
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

// ---------------------------------------------------------------- /authorize

/// This server's own redirect errors, in the shape of
/// [`proofkey::AuthorizeError::query_pairs`].
fn error_pairs(
    error: &'static str,
    description: &'static str,
) -> [(&'static str, &'static str); 2] {
    [("error", error), ("error_description", description)]
}

/// An error shown to the user, not redirected: the client or its redirect
/// URI is not known to be good (RFC 6749 §4.1.2.1). Fixed text only.
fn error_page(message: &'static str) -> Response {
    let body = format!(
        "<!doctype html>\n<title>Authorization error</title>\n<h1>Authorization error</h1>\n<p>{message}</p>\n\
         <p>The request was not sent back to the application.</p>\n"
    );
    (
        StatusCode::BAD_REQUEST,
        [(CACHE_CONTROL, "no-store")],
        Html(body),
    )
        .into_response()
}

/// A 302 to the validated `redirect_uri`, with `params` added to its query.
fn redirect(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let Ok(mut url) = Url::parse(redirect_uri) else {
        return error_page("the redirect_uri is not a valid URI");
    };
    url.query_pairs_mut().extend_pairs(params);
    match HeaderValue::from_str(url.as_str()) {
        Ok(location) => (
            StatusCode::FOUND,
            [
                (LOCATION, location),
                (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
        )
            .into_response(),
        Err(_) => error_page("the redirect_uri is not a valid URI"),
    }
}

/// An error response by redirect (RFC 6749 §4.1.2.1): `error` and
/// `error_description`, then the request's `state` and `iss` (RFC 9207).
fn redirect_error(
    s: &AppState,
    redirect_uri: &str,
    state: Option<&str>,
    error: [(&'static str, &'static str); 2],
) -> Response {
    let mut params = error.to_vec();
    if let Some(state) = state {
        params.push(("state", state));
    }
    params.push(("iss", &s.settings.issuer));
    redirect(redirect_uri, &params)
}

async fn authorize(State(s): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(query.as_deref().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();

    // 1. client_id and redirect_uri: until both are good, errors go to the user.
    let client = match single(&pairs, "client_id") {
        Err(_) => return error_page("the client_id parameter is repeated"),
        Ok(None) => return error_page("the client_id parameter is missing"),
        Ok(Some(id)) => match find_client(id) {
            Some(client) => client,
            None => return error_page("unknown client_id"),
        },
    };
    let redirect_uri = match single(&pairs, "redirect_uri") {
        Err(_) => return error_page("the redirect_uri parameter is repeated"),
        // This server requires it, even for a client with one registered URI.
        Ok(None) => return error_page("the redirect_uri parameter is missing"),
        Ok(Some(uri)) if client.redirect.matches(uri) => uri,
        Ok(Some(_)) => return error_page("the redirect_uri is not registered for this client"),
    };

    // From here on, errors are redirected, with the request's state.
    let Ok(state) = single(&pairs, "state") else {
        return redirect_error(
            &s,
            redirect_uri,
            None,
            error_pairs("invalid_request", "state parameter repeated"),
        );
    };
    let fail = |error, description| {
        redirect_error(&s, redirect_uri, state, error_pairs(error, description))
    };
    match single(&pairs, "response_type") {
        Err(_) => return fail("invalid_request", "response_type parameter repeated"),
        Ok(None) => return fail("invalid_request", "response_type required"),
        Ok(Some("code")) => {}
        Ok(Some(_)) => {
            return fail(
                "unsupported_response_type",
                "only response_type=code is supported",
            );
        }
    }

    // 2. PKCE, with the client type from the registration, over the raw
    // pairs (a map would have dropped the repeats).
    let bound = match s.settings.policy.authorize_params(client.kind, &pairs) {
        Ok(bound) => bound,
        Err(e) => {
            eprintln!(
                "authorize client={}: {} ({})",
                client.id,
                e.error_code(),
                e.description()
            );
            return redirect_error(&s, redirect_uri, state, e.query_pairs());
        }
    };

    // 3. Issue the code, with its binding in the same record.
    let Ok(code) = random_token() else {
        return fail("server_error", "no randomness available");
    };
    let now = Instant::now();
    let record = CodeRecord {
        client_id: client.id,
        redirect_uri: redirect_uri.to_owned(),
        challenge: bound.as_ref().map(|c| (c.as_str().to_owned(), c.method())),
        expires_at: now + s.settings.code_lifetime,
    };
    {
        let mut codes = s.codes();
        codes.retain(|_, r| r.expires_at > now);
        if codes.len() >= MAX_LIVE_CODES {
            return fail(
                "temporarily_unavailable",
                "too many pending authorization codes",
            );
        }
        codes.insert(code.clone(), record);
    }
    let pkce = bound.as_ref().map_or("none", |c| c.method().as_str());
    eprintln!("authorize client={}: code issued (PKCE: {pkce})", client.id);

    let mut params = vec![("code", code.as_str())];
    if let Some(state) = state {
        params.push(("state", state));
    }
    params.push(("iss", &s.settings.issuer));
    redirect(redirect_uri, &params)
}

// -------------------------------------------------------------------- /token

/// An RFC 6749 §5.2 error response of the token endpoint. Fixed text only.
#[derive(Debug, Clone, Copy)]
enum TokenFailure {
    /// This server's own checks: client authentication, grant type, code.
    Own {
        status: StatusCode,
        error: &'static str,
        description: &'static str,
    },
    /// PKCE, answered with proofkey's status and JSON body.
    Pkce(TokenError),
}

impl IntoResponse for TokenFailure {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Self::Own {
                status,
                error,
                description,
            } => (
                status,
                json!({ "error": error, "error_description": description }).to_string(),
            ),
            Self::Pkce(e) => (
                StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::BAD_REQUEST),
                e.json().to_string(),
            ),
        };
        let mut response = (
            status,
            [
                (CONTENT_TYPE, "application/json"),
                (CACHE_CONTROL, "no-store"),
                (PRAGMA, "no-cache"),
            ],
            body,
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"proofkey-demo\""),
            );
        }
        response
    }
}

fn invalid_request(description: &'static str) -> TokenFailure {
    TokenFailure::Own {
        status: StatusCode::BAD_REQUEST,
        error: "invalid_request",
        description,
    }
}

/// 401 with `WWW-Authenticate` (RFC 6749 §5.2).
fn invalid_client(description: &'static str) -> TokenFailure {
    TokenFailure::Own {
        status: StatusCode::UNAUTHORIZED,
        error: "invalid_client",
        description,
    }
}

fn invalid_grant(description: &'static str) -> TokenFailure {
    TokenFailure::Own {
        status: StatusCode::BAD_REQUEST,
        error: "invalid_grant",
        description,
    }
}

fn server_error(description: &'static str) -> TokenFailure {
    TokenFailure::Own {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        error: "server_error",
        description,
    }
}

/// `Authorization: Basic` credentials, each form-urlencoded before base64
/// (RFC 6749 §2.3.1).
fn basic_credentials(header: &HeaderValue) -> Option<(String, String)> {
    let value = header.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

/// Client authentication (RFC 6749 §2.3): `client_secret_basic`,
/// `client_secret_post`, or `none` for a public client. Returns the
/// registered client.
fn authenticate(
    headers: &HeaderMap,
    pairs: &[(String, String)],
) -> Result<&'static Client, TokenFailure> {
    let body_id =
        single(pairs, "client_id").map_err(|_| invalid_request("client_id parameter repeated"))?;
    let body_secret = single(pairs, "client_secret")
        .map_err(|_| invalid_request("client_secret parameter repeated"))?;
    let (id, secret) = match (headers.get(AUTHORIZATION), body_secret) {
        (Some(_), Some(_)) => {
            return Err(invalid_request(
                "more than one client authentication method",
            ));
        }
        (Some(header), None) => {
            let (id, secret) = basic_credentials(header)
                .ok_or_else(|| invalid_client("malformed Authorization header"))?;
            if body_id.is_some_and(|b| b != id) {
                return Err(invalid_request(
                    "client_id does not match the Authorization header",
                ));
            }
            // An empty password counts as none (a public client's Basic header).
            (id, Some(secret).filter(|s| !s.is_empty()))
        }
        (None, secret) => {
            let id = body_id
                .ok_or_else(|| invalid_client("client_id or client authentication required"))?;
            (id.to_owned(), secret.map(str::to_owned))
        }
    };
    let client = find_client(&id).ok_or_else(|| invalid_client("client authentication failed"))?;
    match (client.secret, secret) {
        (None, None) => Ok(client),
        (Some(registered), Some(given))
            if bool::from(registered.as_bytes().ct_eq(given.as_bytes())) =>
        {
            Ok(client)
        }
        (Some(_), None) => Err(invalid_client("client authentication required")),
        // a wrong secret, or a secret from a public client
        _ => Err(invalid_client("client authentication failed")),
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| {
            media
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

async fn token(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, TokenFailure> {
    if !is_form(&headers) {
        return Err(invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let client = authenticate(&headers, &pairs)?;
    let grant_type = single(&pairs, "grant_type")
        .map_err(|_| invalid_request("grant_type parameter repeated"))?;
    let code = single(&pairs, "code").map_err(|_| invalid_request("code parameter repeated"))?;
    let redirect_uri = single(&pairs, "redirect_uri")
        .map_err(|_| invalid_request("redirect_uri parameter repeated"))?;
    match grant_type {
        None => return Err(invalid_request("grant_type required")),
        Some("authorization_code") => {}
        Some(_) => {
            return Err(TokenFailure::Own {
                status: StatusCode::BAD_REQUEST,
                error: "unsupported_grant_type",
                description: "only grant_type=authorization_code is supported",
            });
        }
    }
    let code = code.ok_or_else(|| invalid_request("code required"))?;

    // Take the record out: the code is consumed by this request, whatever
    // its outcome (server guide step 4), and cannot be redeemed twice.
    let Some(record) = s.codes().remove(code) else {
        eprintln!(
            "token client={}: invalid_grant (unknown, expired or used code)",
            client.id
        );
        return Err(invalid_grant(
            "authorization code is invalid, expired or already used",
        ));
    };
    if record.expires_at <= Instant::now() {
        return Err(invalid_grant(
            "authorization code is invalid, expired or already used",
        ));
    }
    if record.client_id != client.id {
        return Err(invalid_grant(
            "authorization code was issued to another client",
        ));
    }
    match redirect_uri {
        None => {
            return Err(invalid_request(
                "redirect_uri required: it was in the authorization request",
            ));
        }
        Some(uri) if uri != record.redirect_uri => {
            return Err(invalid_grant(
                "redirect_uri does not match the authorization request",
            ));
        }
        Some(_) => {}
    }

    // PKCE (server guide step 3): rebuild the stored binding. A record that
    // does not parse is a server fault, never "no PKCE".
    let bound = match &record.challenge {
        None => None,
        Some((value, method)) => Some(
            CodeChallenge::parse(value, *method)
                .map_err(|_| server_error("corrupt authorization code record"))?,
        ),
    };
    if let Err(e) = s
        .settings
        .policy
        .token_params(client.kind, bound.as_ref(), &pairs)
    {
        eprintln!(
            "token client={}: {} ({})",
            client.id,
            e.error_code(),
            e.description()
        );
        return Err(TokenFailure::Pkce(e));
    }

    let access_token = random_token().map_err(|_| server_error("no randomness available"))?;
    eprintln!("token client={}: access token issued", client.id);
    Ok((
        [(CACHE_CONTROL, "no-store"), (PRAGMA, "no-cache")],
        Json(json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_LIFETIME_SECS,
        })),
    )
        .into_response())
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
