//! HTTP helpers shared by the endpoints: parameters, the 400 page, the
//! redirect back to the client, and the token endpoint's JSON errors.

use axum::http::StatusCode;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, HeaderValue, LOCATION, PRAGMA, WWW_AUTHENTICATE,
};
use axum::response::{Html, IntoResponse, Response};
use proofkey::TokenError;
use serde_json::json;
use url::{Url, form_urlencoded};

/// The only value of parameter `name`, `Ok(None)` if absent or empty
/// (RFC 6749 §3.1), `Err(name)` if it appears more than once.
pub(crate) fn single<'a>(
    pairs: &'a [(String, String)],
    name: &'static str,
) -> Result<Option<&'a str>, &'static str> {
    let mut found = None;
    for (n, v) in pairs {
        if n == name && found.replace(v.as_str()).is_some() {
            return Err(name);
        }
    }
    Ok(found.filter(|v| !v.is_empty()))
}

/// `state` exactly as the client percent-encoded it in the raw query
/// string, to be echoed without decoding (RFC 6749 §4.1.2: "the exact
/// value received"; a decode and re-encode would alter `%FF`, `+` or
/// `%7E`). `Ok(None)` if absent or empty, `Err(())` if repeated. Only
/// octets that cannot appear in a URI query at all (RFC 3986 §3.4) are
/// percent-encoded, as a browser would have done before sending them.
pub(crate) fn raw_state(query: &str) -> Result<Option<String>, ()> {
    let mut found: Option<&str> = None;
    for segment in query.split('&').filter(|s| !s.is_empty()) {
        let is_state = form_urlencoded::parse(segment.as_bytes())
            .next()
            .is_some_and(|(name, _)| name == "state");
        if is_state {
            let value = segment.split_once('=').map_or("", |(_, v)| v);
            if found.replace(value).is_some() {
                return Err(());
            }
        }
    }
    Ok(found.filter(|v| !v.is_empty()).map(|v| {
        let mut echoed = String::with_capacity(v.len());
        for &octet in v.as_bytes() {
            if octet.is_ascii_alphanumeric() || b"-._~!$'()*+,;=:@/?%".contains(&octet) {
                echoed.push(char::from(octet));
            } else {
                echoed.push_str(&format!("%{octet:02X}"));
            }
        }
        echoed
    }))
}

/// An error shown to the user, not redirected: the client or its redirect
/// URI is not known to be good (RFC 6749 §4.1.2.1). Fixed text only.
pub(crate) fn error_page(message: &'static str) -> Response {
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

/// A 302 to the validated `redirect_uri` with `params`, then `state` as
/// received ([`raw_state`]), then `iss` (RFC 9207).
pub(crate) fn redirect(
    redirect_uri: &str,
    params: &[(&str, &str)],
    state: Option<&str>,
    issuer: &str,
) -> Response {
    let url = match Url::parse(redirect_uri) {
        Ok(url) if url.fragment().is_none() => url,
        _ => return error_page("the redirect_uri is not a valid URI"),
    };
    let mut location = url.as_str().to_owned();
    location.push(if url.query().is_some() { '&' } else { '?' });
    location.push_str(
        &form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish(),
    );
    if let Some(state) = state {
        location.push_str("&state=");
        location.push_str(state);
    }
    location.push('&');
    location.push_str(
        &form_urlencoded::Serializer::new(String::new())
            .append_pair("iss", issuer)
            .finish(),
    );
    match HeaderValue::from_str(&location) {
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

impl TokenFailure {
    pub(crate) fn error(&self) -> &'static str {
        match self {
            Self::Own { error, .. } => error,
            Self::Pkce(e) => e.error_code(),
        }
    }

    pub(crate) fn description(&self) -> &'static str {
        match self {
            Self::Own { description, .. } => description,
            Self::Pkce(e) => e.description(),
        }
    }
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

/// A refused token request, for the response and the log line: the
/// registered client if known, and a note for the operator when the
/// response's description is deliberately vaguer (fixed text only).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Refusal {
    pub(crate) client: Option<&'static str>,
    pub(crate) failure: TokenFailure,
    pub(crate) note: Option<&'static str>,
}

impl TokenFailure {
    /// Refused before any registered client is known.
    pub(crate) fn anonymous(self) -> Refusal {
        Refusal {
            client: None,
            failure: self,
            note: None,
        }
    }

    /// Refused to the registered client `client`.
    pub(crate) fn to(self, client: &'static str) -> Refusal {
        Refusal {
            client: Some(client),
            failure: self,
            note: None,
        }
    }
}

impl Refusal {
    /// What the log says instead of the response's description.
    pub(crate) fn note(self, note: &'static str) -> Self {
        Self {
            note: Some(note),
            ..self
        }
    }
}

pub(crate) fn invalid_request(description: &'static str) -> TokenFailure {
    TokenFailure::Own {
        status: StatusCode::BAD_REQUEST,
        error: "invalid_request",
        description,
    }
}

/// 401 with `WWW-Authenticate` (RFC 6749 §5.2).
pub(crate) fn invalid_client(description: &'static str) -> TokenFailure {
    TokenFailure::Own {
        status: StatusCode::UNAUTHORIZED,
        error: "invalid_client",
        description,
    }
}

pub(crate) fn invalid_grant(description: &'static str) -> TokenFailure {
    TokenFailure::Own {
        status: StatusCode::BAD_REQUEST,
        error: "invalid_grant",
        description,
    }
}

/// 503 `temporarily_unavailable`: the store failed; nothing was issued.
pub(crate) fn unavailable(description: &'static str) -> TokenFailure {
    TokenFailure::Own {
        status: StatusCode::SERVICE_UNAVAILABLE,
        error: "temporarily_unavailable",
        description,
    }
}

pub(crate) fn server_error(description: &'static str) -> TokenFailure {
    TokenFailure::Own {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        error: "server_error",
        description,
    }
}

#[cfg(test)]
mod tests {
    use super::raw_state;

    #[test]
    fn raw_state_is_the_received_encoding() {
        for (query, state) in [
            ("state=%FF%FE&x=1", Some("%FF%FE")),
            ("a=1&state=a+b", Some("a+b")),
            ("st%61te=%7e~", Some("%7e~")),
            ("state=x%26y%3Dz", Some("x%26y%3Dz")),
            ("state=", None),
            ("x=state", None),
            ("state=a\"b<c>", Some("a%22b%3Cc%3E")),
        ] {
            assert_eq!(
                raw_state(query).as_ref().map(|s| s.as_deref()),
                Ok(state),
                "{query}"
            );
        }
        assert_eq!(raw_state("state=a&state=b"), Err(()));
    }
}
