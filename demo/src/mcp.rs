//! The demo as an MCP-style protected resource: `/mcp` and its RFC 9728
//! metadata.
//!
//! * `GET|POST /mcp` answers 200 with a small JSON object to a bearer
//!   token this server issued for the resource `{issuer}/mcp` (RFC 8707
//!   audience, compared exactly). Without a token it answers 401 with
//!   `WWW-Authenticate: Bearer resource_metadata="..."` (RFC 9728 §5.1),
//!   and with a token that is unknown, expired or for another resource,
//!   401 `error="invalid_token"` (RFC 6750 §3.1) with the same pointer.
//! * `GET /.well-known/oauth-protected-resource/mcp`: the resource's
//!   metadata (RFC 9728 §3.1: the well-known suffix goes between the host
//!   and the resource's path), naming this server as its authorization server.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, HeaderMap, HeaderValue, WWW_AUTHENTICATE};
use axum::response::{IntoResponse, Json, Response};
use serde_json::json;

use crate::AppState;

/// The protected resource's path under the issuer.
pub const MCP_PATH: &str = "/mcp";
/// The path of its RFC 9728 metadata.
pub const RESOURCE_METADATA_PATH: &str = "/.well-known/oauth-protected-resource/mcp";

/// The resource identifier (RFC 8707, RFC 9728 §2) of `/mcp`.
pub(crate) fn resource_id(issuer: &str) -> String {
    format!("{issuer}{MCP_PATH}")
}

pub(crate) async fn metadata(State(s): State<Arc<AppState>>) -> Response {
    let issuer = &s.settings.issuer;
    Json(json!({
        // RFC 9728 §3.3: identical to the resource the URL was built from.
        "resource": resource_id(issuer),
        "authorization_servers": [issuer],
        "bearer_methods_supported": ["header"],
        "resource_name": "proofkey demo MCP-style resource",
    }))
    .into_response()
}

/// Why a request to `/mcp` is refused (fixed text, logged and sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    /// No credentials at all: only the metadata pointer (RFC 6750 §3.1).
    NoToken,
    Invalid(&'static str),
}

pub(crate) async fn mcp(State(s): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let resource = resource_id(&s.settings.issuer);
    match check(&s, &headers, &resource) {
        Ok(client) => {
            s.log.line(format_args!(
                "mcp client={client}: 200 (token for {resource})"
            ));
            (
                [(CACHE_CONTROL, "no-store")],
                Json(json!({ "resource": resource, "client_id": client })),
            )
                .into_response()
        }
        Err(refused) => {
            let metadata = format!("{}{RESOURCE_METADATA_PATH}", s.settings.issuer);
            let challenge = match refused {
                Refused::NoToken => {
                    s.log.line(format_args!("mcp: 401 (no bearer token)"));
                    format!("Bearer resource_metadata=\"{metadata}\"")
                }
                Refused::Invalid(why) => {
                    s.log.line(format_args!("mcp: 401 invalid_token ({why})"));
                    format!(
                        "Bearer error=\"invalid_token\", error_description=\"{why}\", resource_metadata=\"{metadata}\""
                    )
                }
            };
            let mut response = (
                StatusCode::UNAUTHORIZED,
                [(CACHE_CONTROL, "no-store")],
                Json(json!({ "error": "unauthorized" })),
            )
                .into_response();
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response.headers_mut().insert(WWW_AUTHENTICATE, value);
            }
            response
        }
    }
}

/// The bearer token's client, if the token was issued for `resource`.
fn check(s: &AppState, headers: &HeaderMap, resource: &str) -> Result<&'static str, Refused> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err(Refused::NoToken);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or(Refused::Invalid(
            "the Authorization header is not a Bearer token",
        ))?;
    let grant = s
        .tokens
        .find(token)
        .ok_or(Refused::Invalid("the access token is unknown or expired"))?;
    // MCP: a resource server accepts only tokens issued for it (RFC 8707
    // audience), compared exactly.
    match grant.audience.as_deref() {
        Some(audience) if audience == resource => Ok(grant.client_id),
        Some(_) => Err(Refused::Invalid(
            "the access token was issued for another resource",
        )),
        None => Err(Refused::Invalid(
            "the access token names no resource (RFC 8707)",
        )),
    }
}
