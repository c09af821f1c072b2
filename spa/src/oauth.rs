//! The app's OAuth 2 steps that need no browser: metadata, the
//! authorization URL, the callback's checks, the token request and
//! response. The browser glue only moves strings in and out of these.

use proofkey::{ChallengeMethod, ClientFlow, IssParameter};
use serde_json::Value;

use crate::SpaError;

/// The demo server's public client.
pub const CLIENT_ID: &str = "spa";
/// Where the app is served on the server's origin.
pub const APP_PATH: &str = "/spa/";
/// The callback page, on the app's own origin: the redirect URI is
/// `<origin>` + this path.
pub const CALLBACK_PATH: &str = "/spa/callback.html";
/// `sessionStorage` key prefix: one entry per pending flow, keyed by its
/// `state`, never one fixed slot (a second tab or a retried login would
/// overwrite it).
pub const STORAGE_PREFIX: &str = "proofkey.flow.";
/// The RFC 8414 metadata path.
pub const METADATA_PATH: &str = "/.well-known/oauth-authorization-server";

/// The `sessionStorage` key of the flow whose `state` is `state`.
#[must_use]
pub fn storage_key(state: &str) -> String {
    format!("{STORAGE_PREFIX}{state}")
}

/// The redirect URI of the app served at `origin` (`http://127.0.0.1:8080`).
#[must_use]
pub fn redirect_uri(origin: &str) -> String {
    format!("{origin}{CALLBACK_PATH}")
}

/// What the app reads from the server's RFC 8414 metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// `issuer`: equal to the one the app expects.
    pub issuer: String,
    /// `authorization_endpoint`.
    pub authorization_endpoint: String,
    /// `token_endpoint`.
    pub token_endpoint: String,
    /// `authorization_response_iss_parameter_supported` (RFC 9207 §3), `false` if absent.
    pub iss_parameter_supported: bool,
}

impl Metadata {
    /// Reads the metadata document `json` of the server the app expects,
    /// `expected_issuer` (the app's own origin: the demo serves both).
    ///
    /// # Errors
    ///
    /// [`SpaError::Metadata`] if it is not a JSON object with the three
    /// string fields, or if its `issuer` differs from `expected_issuer`
    /// (RFC 8414 §3.3: the metadata MUST NOT be used then);
    /// [`SpaError::Flow`] from [`ChallengeMethod::negotiate`] if
    /// `code_challenge_methods_supported` is absent or lacks `S256`: the
    /// app stops there, it never falls back to `plain` nor to no PKCE.
    pub fn parse(json: &str, expected_issuer: &str) -> Result<Self, SpaError> {
        let doc: Value =
            serde_json::from_str(json).map_err(|_| SpaError::Metadata("not a JSON document"))?;
        let text = |name: &'static str, missing: &'static str| {
            doc.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or(SpaError::Metadata(missing))
        };
        let issuer = text("issuer", "no issuer")?;
        if issuer != expected_issuer {
            return Err(SpaError::Metadata(
                "its issuer is not this app's server (open the app at the issuer's exact origin)",
            ));
        }
        let methods = match doc.get("code_challenge_methods_supported") {
            None => None,
            Some(list) => Some(
                list.as_array()
                    .and_then(|names| names.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
                    .ok_or(SpaError::Metadata(
                        "code_challenge_methods_supported is not a list of strings",
                    ))?,
            ),
        };
        let authorization_endpoint = text("authorization_endpoint", "no authorization_endpoint")?;
        let token_endpoint = text("token_endpoint", "no token_endpoint")?;
        ChallengeMethod::negotiate(methods)?;
        Ok(Self {
            authorization_endpoint,
            token_endpoint,
            iss_parameter_supported: doc
                .get("authorization_response_iss_parameter_supported")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            issuer,
        })
    }
}

/// The authorization request URL (RFC 6749 §4.1.1, RFC 7636 §4.3):
/// `response_type`, `client_id`, `redirect_uri`, then the flow's
/// `code_challenge`, `code_challenge_method=S256` and `state`. The
/// verifier is never part of it.
#[must_use]
pub fn authorization_url(meta: &Metadata, redirect_uri: &str, flow: &ClientFlow) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("response_type", "code")
        .append_pair("client_id", CLIENT_ID)
        .append_pair("redirect_uri", redirect_uri)
        .extend_pairs(flow.authorization_pairs());
    // RFC 6749 §3.1: an endpoint's own query component is kept.
    let separator = if meta.authorization_endpoint.contains('?') {
        '&'
    } else {
        '?'
    };
    format!(
        "{}{separator}{}",
        meta.authorization_endpoint,
        query.finish()
    )
}

/// The parameters of an authorization response (RFC 6749 §4.1.2, RFC 9207).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Callback {
    /// `state`.
    pub state: Option<String>,
    /// `code`.
    pub code: Option<String>,
    /// `iss`.
    pub iss: Option<String>,
    /// `error`.
    pub error: Option<String>,
    /// `error_description`.
    pub error_description: Option<String>,
}

impl Callback {
    /// Reads a callback URL's query (`location.search`, with or without its
    /// `?`). An empty value counts as absent (RFC 6749 §3.1); other
    /// parameters are ignored.
    ///
    /// # Errors
    ///
    /// [`SpaError::Repeated`] if one of the five appears more than once
    /// (RFC 6749 §3.1: parameters MUST NOT be included more than once).
    pub fn parse(query: &str) -> Result<Self, SpaError> {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut callback = Self::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let (slot, name) = match name.as_ref() {
                "state" => (&mut callback.state, "state"),
                "code" => (&mut callback.code, "code"),
                "iss" => (&mut callback.iss, "iss"),
                "error" => (&mut callback.error, "error"),
                "error_description" => (&mut callback.error_description, "error_description"),
                _ => continue,
            };
            if value.is_empty() {
                continue;
            }
            if slot.replace(value.into_owned()).is_some() {
                return Err(SpaError::Repeated(name));
            }
        }
        Ok(callback)
    }

    /// `true` if it carries none of the five parameters.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The callback's checks, in this order, and the code to exchange:
    ///
    /// 1. a `state`, and `stored`, the entry it names (already removed from
    ///    storage by the caller, so the flow is used once whatever follows);
    /// 2. [`ClientFlow::resume`]: the stored text, the same `state`, the age;
    /// 3. [`ClientFlow::check_recorded_issuer`] (RFC 9207 §2.4: the issuer
    ///    the flow was started for, [`ClientFlow::for_issuer`]), also before
    ///    trusting an error response;
    /// 4. the server's `error`, if any; else a `code`.
    ///
    /// # Errors
    ///
    /// [`SpaError::NoResponse`], [`SpaError::MissingState`],
    /// [`SpaError::NoPendingLogin`] (no entry: a reload or replay, or
    /// another tab's response), [`SpaError::Flow`], [`SpaError::Authorization`],
    /// [`SpaError::MissingCode`].
    pub fn complete(
        &self,
        stored: Option<&str>,
        meta: &Metadata,
        now_secs: u64,
    ) -> Result<(ClientFlow, &str), SpaError> {
        let state = match &self.state {
            Some(state) => state,
            None if self.is_empty() => return Err(SpaError::NoResponse),
            None => return Err(SpaError::MissingState),
        };
        let stored = stored.ok_or(SpaError::NoPendingLogin)?;
        let flow = ClientFlow::resume(stored, state, now_secs)?;
        // Against the issuer the flow recorded when it started, not the
        // metadata fetched now.
        flow.check_recorded_issuer(
            self.iss.as_deref(),
            IssParameter::from_metadata(Some(meta.iss_parameter_supported)),
        )?;
        if let Some(error) = &self.error {
            return Err(SpaError::Authorization {
                error: error.clone(),
                description: self.error_description.clone(),
            });
        }
        let code = self.code.as_deref().ok_or(SpaError::MissingCode)?;
        Ok((flow, code))
    }
}

/// The token request body (RFC 6749 §4.1.3, RFC 7636 §4.5), form-encoded:
/// `grant_type`, `code`, `redirect_uri`, `client_id` (a public client,
/// RFC 6749 §3.2.1) and the flow's `code_verifier`. It holds the verifier:
/// send it only to the checked issuer's token endpoint, then wipe it.
#[must_use]
pub fn token_request_body(code: &str, redirect_uri: &str, flow: &ClientFlow) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", code)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("client_id", CLIENT_ID)
        .extend_pairs(flow.token_pairs())
        .finish()
}

/// Reads the token endpoint's answer: the token response (RFC 6749 §5.1),
/// pretty-printed for the page, or the error response (§5.2).
///
/// # Errors
///
/// [`SpaError::Token`] for any status but 200 (with the JSON's `error`
/// and `error_description`, or `unknown`); [`SpaError::BadTokenResponse`]
/// for a 200 without an `access_token` and a `token_type`.
pub fn read_token_response(status: u16, body: &str) -> Result<String, SpaError> {
    let json: Option<Value> = serde_json::from_str(body).ok();
    let field = |name: &str| {
        json.as_ref()
            .and_then(|j| j.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if status != 200 {
        return Err(SpaError::Token {
            status,
            error: field("error").unwrap_or_else(|| "unknown".to_owned()),
            description: field("error_description"),
        });
    }
    match (&json, field("access_token"), field("token_type")) {
        (Some(json), Some(_), Some(_)) => serde_json::to_string_pretty(json)
            .map_err(|_| SpaError::BadTokenResponse("not printable")),
        (None, ..) => Err(SpaError::BadTokenResponse("not JSON")),
        _ => Err(SpaError::BadTokenResponse(
            "no access_token or token_type (RFC 6749 §5.1)",
        )),
    }
}

/// Whether the `sessionStorage` entry `key` = `value` is a flow of this app
/// that can no longer complete (expired, malformed, or not keyed by its own
/// `state`): the first page drops those. Other apps' keys are left alone.
#[must_use]
pub fn is_stale_entry(key: &str, value: &str, now_secs: u64) -> bool {
    key.strip_prefix(STORAGE_PREFIX)
        .is_some_and(|state| ClientFlow::resume(value, state, now_secs).is_err())
}
