//! Authorization requests written by hand, for the tests that need the
//! raw query and the raw `Location` (each includes this with
//! `#[path = "support/raw.rs"] mod raw;`, after `support/http.rs`).
#![allow(dead_code)] // each test file uses a different part

use oauth2::PkceCodeChallenge;
use oauth2::reqwest::{StatusCode, header};
use oauth2::url::form_urlencoded::byte_serialize;

use crate::http::{SPA_REDIRECT, Server};

/// `GET /authorize?{query}`: the status and the raw `Location`, if any.
pub(crate) async fn get_authorize(server: &Server, query: &str) -> (StatusCode, Option<String>) {
    let response = server
        .http
        .get(format!("{}/authorize?{query}", server.base))
        .send()
        .await
        .expect("GET /authorize");
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|l| l.to_str().expect("ASCII Location").to_owned());
    (response.status(), location)
}

/// An S256 authorization request of `client_id` to `redirect_uri`, with a
/// fresh challenge, then `extra` (raw, without a leading `&`).
pub(crate) fn query(client_id: &str, redirect_uri: &str, extra: &str) -> String {
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    query_with(client_id, redirect_uri, &challenge, extra)
}

/// [`query`] with `challenge`.
pub(crate) fn query_with(
    client_id: &str,
    redirect_uri: &str,
    challenge: &PkceCodeChallenge,
    extra: &str,
) -> String {
    let redirect: String = byte_serialize(redirect_uri.as_bytes()).collect();
    format!(
        "response_type=code&client_id={client_id}&redirect_uri={redirect}\
         &code_challenge={}&code_challenge_method=S256&{extra}",
        challenge.as_str()
    )
}

/// [`query`] for the public client.
pub(crate) fn spa_query(extra: &str) -> String {
    query(demo::SPA_CLIENT_ID, SPA_REDIRECT, extra)
}

/// The raw value of parameter `name` in a `Location`, not decoded.
pub(crate) fn raw_param<'a>(location: &'a str, name: &str) -> Option<&'a str> {
    let (_, query) = location.split_once('?')?;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}
