//! `POST /token`: the code exchange (RFC 6749 §4.1.3, RFC 7636 §4.5).

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, HeaderMap, HeaderValue, PRAGMA, WWW_AUTHENTICATE,
};
use axum::response::{IntoResponse, Json, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proofkey::{CodeChallenge, TokenError};
use serde_json::json;
use subtle::ConstantTimeEq as _;
use url::form_urlencoded;

use crate::clients::{Client, find_client};
use crate::{ACCESS_TOKEN_LIFETIME_SECS, AppState, Weakness, random_token, single, weaken};

/// An RFC 6749 §5.2 error response of the token endpoint. Fixed text only.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TokenFailure {
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

pub(crate) async fn token(
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
    let weakened = match weaken::token(
        s.settings.weakness,
        &s.settings.policy,
        client.kind,
        bound.as_ref(),
        &pairs,
    ) {
        Ok(weakened) => weakened,
        Err(e) => {
            eprintln!(
                "token client={}: {} ({})",
                client.id,
                e.error_code(),
                e.description()
            );
            // For the operator only: the client's likely encoding mistake. Never
            // in the response, and the hint names no value.
            if let (TokenError::Mismatch | TokenError::MalformedVerifier(_), Some((value, method))) =
                (e, &record.challenge)
                && let Ok(Some(verifier)) = single(&pairs, "code_verifier")
            {
                eprintln!(
                    "token client={}: PKCE hint: {}",
                    client.id,
                    proofkey::diagnose(value, *method, verifier)
                );
            }
            return Err(TokenFailure::Pkce(e));
        }
    };

    let access_token = random_token().map_err(|_| server_error("no randomness available"))?;
    if s.settings.weakness == Some(Weakness::Replay) {
        // --weaken replay: the code goes back, redeemable again.
        s.codes().insert(code.to_owned(), record);
    }
    match (weakened, s.settings.weakness) {
        (Some(w), _) | (None, Some(w @ Weakness::Replay)) => eprintln!(
            "token client={}: access token issued WEAKENED by --weaken {w}",
            client.id
        ),
        _ => eprintln!("token client={}: access token issued", client.id),
    }
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
