//! `GET /authorize`: RFC 6749 §4.1.1 with PKCE (RFC 7636 §4.3).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, HeaderValue, LOCATION};
use axum::response::{Html, IntoResponse, Response};
use url::{Url, form_urlencoded};

use crate::clients::find_client;
use crate::{AppState, CodeRecord, MAX_LIVE_CODES, random_token, single, weaken};

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

pub(crate) async fn authorize(
    State(s): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Response {
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
    let (bound, weakened) =
        match weaken::authorize(s.settings.weakness, &s.settings.policy, client.kind, &pairs) {
            Ok(decision) => decision,
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
    // RFC 9700 §2.1.1: refuse a challenge this client used before. Once
    // recorded, the pair stays refused even if the code is not issued
    // below: after an error, the client must choose a fresh challenge.
    if let Some(challenge) = &bound {
        match s.check_reuse(client.id, challenge) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                eprintln!(
                    "authorize client={}: {} ({})",
                    client.id,
                    e.error_code(),
                    e.description()
                );
                return redirect_error(&s, redirect_uri, state, e.query_pairs());
            }
            Err(_) => return fail("server_error", "no randomness available"),
        }
    }
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
    match weakened {
        None => eprintln!("authorize client={}: code issued (PKCE: {pkce})", client.id),
        Some(w) => eprintln!(
            "authorize client={}: code issued (PKCE: {pkce}) WEAKENED by --weaken {w}",
            client.id
        ),
    }

    let mut params = vec![("code", code.as_str())];
    if let Some(state) = state {
        params.push(("state", state));
    }
    params.push(("iss", &s.settings.issuer));
    redirect(redirect_uri, &params)
}
