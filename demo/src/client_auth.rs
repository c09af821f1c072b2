//! Client authentication at the token endpoint (RFC 6749 §2.3):
//! `client_secret_basic`, `client_secret_post`, or `none` for a public client.

use axum::http::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use subtle::ConstantTimeEq as _;
use url::form_urlencoded;

use crate::clients::{Client, find_client};
use crate::http::{Refusal, invalid_client, invalid_request, single};

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

/// Returns the registered client the request authenticates as. A refusal
/// names the client only if it is registered.
pub(crate) fn authenticate(
    headers: &HeaderMap,
    pairs: &[(String, String)],
) -> Result<&'static Client, Refusal> {
    let body_id = single(pairs, "client_id")
        .map_err(|_| invalid_request("client_id parameter repeated").anonymous())?;
    let body_secret = single(pairs, "client_secret")
        .map_err(|_| invalid_request("client_secret parameter repeated").anonymous())?;
    let (id, secret) = match (headers.get(AUTHORIZATION), body_secret) {
        (Some(_), Some(_)) => {
            return Err(invalid_request("more than one client authentication method").anonymous());
        }
        (Some(header), None) => {
            let (id, secret) = basic_credentials(header)
                .ok_or_else(|| invalid_client("malformed Authorization header").anonymous())?;
            if body_id.is_some_and(|b| b != id) {
                return Err(
                    invalid_request("client_id does not match the Authorization header")
                        .anonymous(),
                );
            }
            // An empty password counts as none (a public client's Basic header).
            (id, Some(secret).filter(|s| !s.is_empty()))
        }
        (None, secret) => {
            let id = body_id.ok_or_else(|| {
                invalid_client("client_id or client authentication required").anonymous()
            })?;
            (id.to_owned(), secret.map(str::to_owned))
        }
    };
    let Some(client) = find_client(&id) else {
        return Err(invalid_client("client authentication failed")
            .anonymous()
            .note("unknown client_id"));
    };
    match (client.secret, secret) {
        (None, None) => Ok(client),
        (Some(registered), Some(given))
            if bool::from(registered.as_bytes().ct_eq(given.as_bytes())) =>
        {
            Ok(client)
        }
        (Some(_), None) => Err(invalid_client("client authentication required").to(client.id)),
        (Some(_), Some(_)) => Err(invalid_client("client authentication failed")
            .to(client.id)
            .note("wrong client secret")),
        (None, Some(_)) => Err(invalid_client("client authentication failed")
            .to(client.id)
            .note("a client secret from a public client")),
    }
}
