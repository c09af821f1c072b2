//! The README's axum recipe: the PKCE half of an authorization server's two
//! endpoints, reading each request as received (`RawQuery`, the raw body),
//! so that no map can drop a repeated parameter. Run it with
//! `cargo run -p demo --example axum_recipe`; the demo server (`src/`) is
//! the complete version, with client registration, expiry and the rest.
//!
//! `Query<HashMap<String, String>>` would compile and run too, but a map
//! keeps one value per name: `code_challenge_method=S256&code_challenge_method=plain`
//! would reach the policy as one method, and its repeat check is gone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Router, routing::get, routing::post};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use proofkey::{ClientType, CodeChallenge, Policy};
use url::{Url, form_urlencoded};

/// Codes and their PKCE binding: one record, inserted and removed whole.
type Codes = Arc<Mutex<HashMap<String, Option<CodeChallenge>>>>;

/// GET /authorize, once `client_id` and `redirect_uri` are known good (else
/// a 400 page, never a redirect). The client type comes from the client's
/// registration; this recipe has one public client.
async fn authorize(State(codes): State<Codes>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let param = |name: &str| {
        form_urlencoded::parse(query.as_bytes()).find_map(|(k, v)| (k == name).then_some(v))
    };
    let Some(Ok(mut back)) = param("redirect_uri").map(|uri| Url::parse(&uri)) else {
        return (StatusCode::BAD_REQUEST, "unknown client or redirect_uri").into_response();
    };
    match Policy::production().authorize_query(ClientType::Public, &query) {
        Ok(bound) => {
            let mut octets = [0u8; 32];
            if getrandom::fill(&mut octets).is_err() {
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
            let code = URL_SAFE_NO_PAD.encode(octets);
            let mut codes = codes.lock().unwrap_or_else(|e| e.into_inner());
            codes.insert(code.clone(), bound);
            back.query_pairs_mut().append_pair("code", &code);
        }
        // RFC 7636 §4.4.1: the error goes back to the client by redirect.
        Err(e) => {
            back.query_pairs_mut().extend_pairs(e.query_pairs());
        }
    }
    // Echo `state`; a real server adds `iss` too (RFC 9207).
    if let Some(state) = param("state") {
        back.query_pairs_mut().append_pair("state", &state);
    }
    Redirect::to(back.as_str()).into_response()
}

/// POST /token, once the client is authenticated.
async fn token(State(codes): State<Codes>, body: String) -> Response {
    let code = form_urlencoded::parse(body.as_bytes())
        .find_map(|(k, v)| (k == "code").then_some(v))
        .unwrap_or_default();
    // Consume the code first: a failed attempt burns it (RFC 6749 §4.1.2).
    let removed = codes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&*code);
    // No record is an invalid code, never "no PKCE".
    let Some(bound) = removed else {
        return json(400, r#"{"error":"invalid_grant"}"#.to_owned());
    };
    match Policy::production().token_form(ClientType::Public, bound.as_ref(), &body) {
        Ok(()) => json(
            200,
            r#"{"access_token":"...","token_type":"Bearer"}"#.to_owned(),
        ),
        Err(e) => json(e.status_code(), e.json().to_string()),
    }
}

fn json(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = Router::new()
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .with_state(Codes::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}
