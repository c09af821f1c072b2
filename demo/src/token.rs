//! `POST /token`: the code exchange (RFC 6749 §4.1.3, RFC 7636 §4.5).

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderMap, PRAGMA};
use axum::response::{IntoResponse, Json, Response};
use proofkey::{CodeChallenge, TokenError};
use serde_json::json;
use url::form_urlencoded;

use crate::client_auth::authenticate;
use crate::codes::random_token;
use crate::http::{Refusal, TokenFailure, invalid_grant, invalid_request, server_error, single};
use crate::log::client_label;
use crate::weaken::{self, Weakened};
use crate::{ACCESS_TOKEN_LIFETIME_SECS, AppState, Weakness};

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

/// The endpoint: one decision, one log line (plus a PKCE hint line after
/// a verifier that does not match).
pub(crate) async fn token(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match exchange(&s, &headers, &body) {
        Ok((client, access_token, weakened)) => {
            match weakened {
                None => s
                    .log
                    .line(format_args!("token client={client}: access token issued")),
                Some(w) => s.log.line(format_args!(
                    "token client={client}: access token issued WEAKENED by --weaken {w}"
                )),
            }
            (
                [(CACHE_CONTROL, "no-store"), (PRAGMA, "no-cache")],
                Json(json!({
                    "access_token": access_token,
                    "token_type": "Bearer",
                    "expires_in": ACCESS_TOKEN_LIFETIME_SECS,
                })),
            )
                .into_response()
        }
        Err(refusal) => {
            s.log.line(format_args!(
                "token client={}: {} ({})",
                client_label(refusal.client),
                refusal.failure.error(),
                refusal.note.unwrap_or(refusal.failure.description())
            ));
            refusal.failure.into_response()
        }
    }
}

/// The checks in order; on success, the client id, the access token and
/// the weakness that overrode a refusal, if any.
fn exchange(
    s: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(&'static str, String, Weakened), Refusal> {
    if !is_form(headers) {
        return Err(
            invalid_request("the body must be application/x-www-form-urlencoded").anonymous(),
        );
    }
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let client = authenticate(headers, &pairs)?;
    let refuse = |failure: TokenFailure| failure.to(client.id);
    let grant_type = single(&pairs, "grant_type")
        .map_err(|_| refuse(invalid_request("grant_type parameter repeated")))?;
    let code =
        single(&pairs, "code").map_err(|_| refuse(invalid_request("code parameter repeated")))?;
    let redirect_uri = single(&pairs, "redirect_uri")
        .map_err(|_| refuse(invalid_request("redirect_uri parameter repeated")))?;
    match grant_type {
        None => return Err(refuse(invalid_request("grant_type required"))),
        Some("authorization_code") => {}
        Some(_) => {
            return Err(refuse(TokenFailure::Own {
                status: StatusCode::BAD_REQUEST,
                error: "unsupported_grant_type",
                description: "only grant_type=authorization_code is supported",
            }));
        }
    }
    let code = code.ok_or_else(|| refuse(invalid_request("code required")))?;

    // Take the record out: the code is consumed by this request, whatever
    // its outcome (server guide step 4), and cannot be redeemed twice.
    let used = "authorization code is invalid, expired or already used";
    let Some(record) = s.codes.take(code) else {
        return Err(refuse(invalid_grant(used)).note("unknown, expired or used code"));
    };
    if record.expires_at <= Instant::now() {
        return Err(refuse(invalid_grant(used)).note("expired code"));
    }
    if record.client_id != client.id {
        return Err(refuse(invalid_grant(
            "authorization code was issued to another client",
        )));
    }
    match redirect_uri {
        None => {
            return Err(refuse(invalid_request(
                "redirect_uri required: it was in the authorization request",
            )));
        }
        Some(uri) if uri != record.redirect_uri => {
            return Err(refuse(invalid_grant(
                "redirect_uri does not match the authorization request",
            )));
        }
        Some(_) => {}
    }
    // RFC 8707 §2.2, MCP: the token request names the code's resource
    // again, exactly; it becomes the token's audience.
    let resource = crate::resource::requested(&pairs).map_err(|description| {
        refuse(TokenFailure::Own {
            status: StatusCode::BAD_REQUEST,
            error: crate::resource::INVALID_TARGET,
            description,
        })
    })?;
    if !crate::resource::same_target(record.resource.as_deref(), resource) {
        return Err(refuse(TokenFailure::Own {
            status: StatusCode::BAD_REQUEST,
            error: crate::resource::INVALID_TARGET,
            description: "resource does not match the authorization request's",
        }));
    }

    // PKCE (server guide step 3): rebuild the stored binding. A record that
    // does not parse is a server fault, never "no PKCE".
    let bound = match &record.challenge {
        None => None,
        Some((value, method)) => Some(
            CodeChallenge::parse(value, *method)
                .map_err(|_| refuse(server_error("corrupt authorization code record")))?,
        ),
    };
    let settings = &s.settings;
    let weakened = weaken::token(
        settings.weakness,
        &settings.policy,
        client.kind,
        bound.as_ref(),
        &pairs,
    )
    .map_err(|e| {
        // For the operator only, logged before the refusal's line: the
        // client's likely encoding mistake. Never in the response, and the
        // hint names no value.
        if let (TokenError::Mismatch | TokenError::MalformedVerifier(_), Some((value, method))) =
            (e, &record.challenge)
            && let Ok(Some(verifier)) = single(&pairs, "code_verifier")
        {
            s.log.line(format_args!(
                "token client={}: PKCE hint: {}",
                client.id,
                proofkey::diagnose(value, *method, verifier)
            ));
        }
        refuse(TokenFailure::Pkce(e))
    })?;

    let access_token =
        random_token().map_err(|_| refuse(server_error("no randomness available")))?;
    s.tokens
        .issue(&access_token, client.id, record.resource.clone());
    if settings.weakness == Some(Weakness::Replay) {
        // --weaken replay: the code goes back, redeemable again.
        s.codes.put_back(code.to_owned(), record);
        return Ok((client.id, access_token, Some(Weakness::Replay)));
    }
    Ok((client.id, access_token, weakened))
}
