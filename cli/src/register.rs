//! `pkce login --register`: dynamic client registration (RFC 7591) of a
//! public client for the loopback redirect URI, as MCP clients do.

use serde_json::{Value, json};
use url::Url;

use crate::discovery::Metadata;
use crate::fail::Failure;
use crate::http::Http;

/// Registers a public native client (`token_endpoint_auth_method`
/// `none`, RFC 8252 §8.4) for `redirect_uri`; its `client_id`.
pub(crate) fn register(
    http: &Http,
    meta: &Metadata,
    redirect_uri: &Url,
) -> Result<String, Failure> {
    let endpoint = meta.registration_endpoint.as_ref().ok_or_else(|| {
        Failure::usage(format!(
            "the authorization server {} offers no registration_endpoint (RFC 7591): pass --client-id",
            meta.issuer
        ))
    })?;
    // RFC 7591 §2: the client metadata.
    let request = json!({
        "client_name": concat!("pkce ", env!("CARGO_PKG_VERSION")),
        "redirect_uris": [redirect_uri.as_str()],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    let reply = http.post_json(endpoint, &request.to_string())?;
    let body: Option<Value> = serde_json::from_str(&reply.body).ok();
    let field = |name: &str| {
        body.as_ref()
            .and_then(|b| b.get(name))
            .and_then(Value::as_str)
    };
    // RFC 7591 §3.2.1: 201 with the client_id; §3.2.2: an error object.
    match (reply.status, field("client_id")) {
        (200..=299, Some(id)) if !id.is_empty() => Ok(id.to_owned()),
        (status, _) => Err(Failure::refused(format!(
            "the registration endpoint {endpoint} refused: HTTP {status}{}{}",
            field("error").map(|e| format!(" {e}")).unwrap_or_default(),
            field("error_description")
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        ))),
    }
}
