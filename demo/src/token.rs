//! `POST /token`: the code exchange (RFC 6749 §4.1.3, RFC 7636 §4.5).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderMap, PRAGMA};
use axum::response::{IntoResponse, Json, Response};
use proofkey::TokenError;
use serde_json::json;
use url::form_urlencoded;

use crate::client_auth::authenticate;
use crate::codes::random_token;
use crate::http::{
    Refusal, TokenFailure, invalid_grant, invalid_request, server_error, single, unavailable,
};
use crate::log::client_label;
use crate::weaken::{self, Weakened};
use crate::{ACCESS_TOKEN_LIFETIME_SECS, AppState, consume};

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
    match exchange(&s, &headers, &body).await {
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
async fn exchange(
    s: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(&'static str, String, Weakened), Refusal> {
    if !is_form(headers) {
        return Err(
            invalid_request("the body must be application/x-www-form-urlencoded").anonymous(),
        );
    }
    // The PKCE check reads the body as received (Policy::token_form).
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(invalid_request("the body must be UTF-8").anonymous());
    };
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
    // The store never returns an expired record; a store error is a 503,
    // never a token.
    let redeemed = match consume::take(s, code).await {
        Ok(Some(redeemed)) => redeemed,
        Ok(None) => {
            return Err(refuse(invalid_grant(used)).note("unknown, expired or used code"));
        }
        Err(e) => {
            s.log
                .line(format_args!("token client={}: store error: {e}", client.id));
            return Err(
                refuse(unavailable("the code store is unavailable, try again"))
                    .note("code store error"),
            );
        }
    };
    let record = &redeemed.record;
    if record.client_id() != client.id {
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
        Some(uri) if uri != record.redirect_uri() => {
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
    if !crate::resource::same_target(crate::resource::stored(record), resource) {
        return Err(refuse(TokenFailure::Own {
            status: StatusCode::BAD_REQUEST,
            error: crate::resource::INVALID_TARGET,
            description: "resource does not match the authorization request's",
        }));
    }

    // PKCE (server guide step 3): the binding stored with the code.
    let bound = record.pkce().challenge();
    let settings = &s.settings;
    let weakened = weaken::token(
        settings.weakness,
        &settings.policy,
        client.kind,
        bound,
        text,
        &pairs,
    )
    .map_err(|e| {
        // For the operator only, logged before the refusal's line: the
        // client's likely encoding mistake. Never in the response, and the
        // hint names no value.
        if let (TokenError::Mismatch | TokenError::MalformedVerifier(_), Some(bound)) = (e, bound)
            && let Ok(Some(verifier)) = single(&pairs, "code_verifier")
        {
            s.log.line(format_args!(
                "token client={}: PKCE hint: {}",
                client.id,
                proofkey::diagnose(bound.as_str(), bound.method(), verifier)
            ));
        }
        refuse(TokenFailure::Pkce(e))
    });
    let weakened = match weakened {
        Ok(weakened) => weakened,
        Err(refusal) => {
            if matches!(
                refusal.failure,
                TokenFailure::Pkce(TokenError::Mismatch | TokenError::MalformedVerifier(_))
            ) {
                consume::after_pkce_failure(s, code, &redeemed).await;
            }
            return Err(refusal);
        }
    };

    let access_token =
        random_token().map_err(|_| refuse(server_error("no randomness available")))?;
    s.tokens.issue(
        &access_token,
        client.id,
        crate::resource::stored(record).map(str::to_owned),
    );
    // --weaken replay, replay-without-verifier: the code goes back.
    let kept = consume::after_success(s, code, &redeemed).await;
    Ok((client.id, access_token, kept.or(weakened)))
}
