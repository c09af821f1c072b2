//! Authorization server metadata: RFC 8414, then OpenID Connect Discovery.

use serde_json::Value;
use url::Url;

use crate::fail::Failure;
use crate::http::Http;

/// What `login` and `probe` need from the server's metadata.
pub(crate) struct Metadata {
    /// The metadata's `issuer`, the value RFC 9207's `iss` is compared with.
    pub(crate) issuer: String,
    pub(crate) authorization_endpoint: Url,
    pub(crate) token_endpoint: Url,
    /// `code_challenge_methods_supported`, `None` if absent.
    pub(crate) methods: Option<Vec<String>>,
    /// `token_endpoint_auth_methods_supported`, `None` if absent.
    pub(crate) token_auth_methods: Option<Vec<String>>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207 §3).
    pub(crate) iss_supported: bool,
    /// `registration_endpoint` (RFC 7591), `None` if absent.
    pub(crate) registration_endpoint: Option<Url>,
}

/// The issuer the user named, checked: an `https` (or loopback `http`)
/// URL without query or fragment (RFC 8414 §2). A lone trailing `/` is
/// dropped, as most issuers are written without it.
pub(crate) fn parse_issuer(text: &str) -> Result<(String, Url), Failure> {
    let url =
        Url::parse(text).map_err(|e| Failure::usage(format!("the issuer is not a URL: {e}")))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Failure::usage(
            "the issuer must not have a query or fragment (RFC 8414 §2)",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Failure::usage("the issuer must not hold credentials"));
    }
    let name = text.strip_suffix('/').unwrap_or(text).to_owned();
    Ok((name, url))
}

/// The metadata URLs to try, in order: RFC 8414 §3.1 (the well-known
/// suffix goes between the host and the issuer's path), then for an
/// issuer with a path OpenID Connect Discovery with the path inserted the
/// same way (the MCP authorization spec's second URL), then OpenID
/// Connect Discovery 1.0 §4 (appended to the issuer).
pub(crate) fn candidates(issuer: &Url) -> Vec<Url> {
    let path = issuer.path().trim_end_matches('/');
    let at = |well_known: &str| {
        let mut url = issuer.clone();
        url.set_path(well_known);
        url
    };
    let mut urls = vec![at(&format!(
        "/.well-known/oauth-authorization-server{path}"
    ))];
    if !path.is_empty() {
        urls.push(at(&format!("/.well-known/openid-configuration{path}")));
    }
    urls.push(at(&format!("{path}/.well-known/openid-configuration")));
    urls
}

/// The endpoint URL `text` (named `what` in messages), if it is on the
/// issuer's origin: pkce sends nothing anywhere else.
pub(crate) fn endpoint_on_origin(http: &Http, what: &str, text: &str) -> Result<Url, Failure> {
    let endpoint =
        Url::parse(text).map_err(|e| Failure::usage(format!("{what} is not a URL: {e}")))?;
    if !http.same_origin(&endpoint) {
        return Err(Failure::usage(format!(
            "{what} {text} is not on the issuer's origin: pkce only sends requests to the issuer's origin"
        )));
    }
    Ok(endpoint)
}

/// Fetches and checks the metadata of `issuer` (named `name` by the user).
pub(crate) fn discover(http: &Http, name: &str, issuer: &Url) -> Result<Metadata, Failure> {
    let mut tried = Vec::new();
    for url in candidates(issuer) {
        let reply = http.get(&url, "")?;
        if reply.status == 200 {
            let value: Value = serde_json::from_str(&reply.body)
                .map_err(|e| Failure::network(format!("the metadata at {url} is not JSON: {e}")))?;
            return check(http, name, &url, &value);
        }
        tried.push(format!("{url} (HTTP {})", reply.status));
    }
    Err(Failure::network(format!(
        "no authorization server metadata at {}",
        tried.join(" nor at ")
    )))
}

fn check(http: &Http, name: &str, url: &Url, value: &Value) -> Result<Metadata, Failure> {
    let field = |key: &str| value.get(key).and_then(Value::as_str);
    let list = |key: &str| {
        value.get(key).and_then(Value::as_array).map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
    };
    let issuer = field("issuer")
        .ok_or_else(|| Failure::network(format!("the metadata at {url} has no issuer")))?;
    // RFC 8414 §3.3: the issuer in the metadata MUST be identical to the
    // one the metadata was looked up for (up to a lone trailing slash).
    if issuer.strip_suffix('/').unwrap_or(issuer) != name {
        // The same server under another host name (localhost vs
        // 127.0.0.1): say which name to probe it by.
        let hint = match Url::parse(issuer) {
            Ok(named)
                if named.port_or_known_default() == url.port_or_known_default()
                    && named.scheme() == url.scheme()
                    && named.host_str() != url.host_str() =>
            {
                format!(
                    "; the server calls itself {}: run pkce with the issuer {issuer} (another host name is another origin)",
                    named.host_str().unwrap_or_default()
                )
            }
            _ => String::new(),
        };
        return Err(Failure::network(format!(
            "the metadata at {url} names the issuer {issuer:?}, not {name:?} (RFC 8414 §3.3: they must be identical){hint}"
        )));
    }
    let endpoint = |key: &str| -> Result<Url, Failure> {
        let text = field(key)
            .ok_or_else(|| Failure::network(format!("the metadata at {url} has no {key}")))?;
        endpoint_on_origin(http, &format!("the metadata's {key}"), text)
    };
    Ok(Metadata {
        issuer: issuer.to_owned(),
        authorization_endpoint: endpoint("authorization_endpoint")?,
        token_endpoint: endpoint("token_endpoint")?,
        methods: list("code_challenge_methods_supported"),
        token_auth_methods: list("token_endpoint_auth_methods_supported"),
        iss_supported: value
            .get("authorization_response_iss_parameter_supported")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        registration_endpoint: match field("registration_endpoint") {
            Some(_) => Some(endpoint("registration_endpoint")?),
            None => None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_urls_follow_rfc8414_then_openid() {
        let urls = |s: &str| -> Vec<String> {
            candidates(&Url::parse(s).unwrap())
                .iter()
                .map(Url::to_string)
                .collect()
        };
        assert_eq!(
            urls("https://as.example"),
            [
                "https://as.example/.well-known/oauth-authorization-server",
                "https://as.example/.well-known/openid-configuration",
            ]
        );
        // RFC 8414 §3.1: the suffix goes before the path component.
        assert_eq!(
            urls("https://as.example/tenant/1"),
            [
                "https://as.example/.well-known/oauth-authorization-server/tenant/1",
                "https://as.example/.well-known/openid-configuration/tenant/1",
                "https://as.example/tenant/1/.well-known/openid-configuration",
            ]
        );
    }

    #[test]
    fn issuer_syntax() {
        assert_eq!(
            parse_issuer("http://127.0.0.1:9/").unwrap().0,
            "http://127.0.0.1:9"
        );
        assert!(parse_issuer("https://as.example/?a=b").is_err());
        assert!(parse_issuer("https://as.example/#f").is_err());
        assert!(parse_issuer("https://u:p@as.example").is_err());
        assert!(parse_issuer("as.example").is_err());
    }
}
