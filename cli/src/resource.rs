//! From a protected resource to its authorization server (RFC 9728), as
//! the MCP authorization specification asks of clients, and the MCP rule
//! on the server's PKCE metadata.

use proofkey::{ChallengeMethod, FlowError};
use serde_json::Value;
use url::Url;

use crate::discovery::Metadata;
use crate::fail::Failure;
use crate::http::{Http, Reply, is_loopback};

/// The MCP authorization spec (2025-11-25 and 2026-07-28), quoted in refusals.
pub(crate) const MCP_ABSENT: &str = "MCP authorization spec (2025-11-25, 2026-07-28): \"If code_challenge_methods_supported is absent, the authorization server does not support PKCE and MCP clients MUST refuse to proceed\"";
/// The same spec on the method.
pub(crate) const MCP_S256: &str = "MCP authorization spec (2025-11-25, 2026-07-28): \"MCP clients MUST use the S256 code challenge method\"";

/// What the resource's metadata says.
#[derive(Debug)]
pub(crate) struct Protected {
    /// The resource identifier, as its metadata names it: the value of
    /// `resource` in both requests (RFC 8707).
    pub(crate) resource: String,
    /// The authorization server chosen from `authorization_servers`.
    pub(crate) issuer: String,
    /// Where the metadata was found.
    pub(crate) metadata_url: Url,
}

/// The resource URL the user named: `https`, or `http` on loopback, no
/// fragment (RFC 8707 §2), no credentials.
pub(crate) fn parse_resource(text: &str) -> Result<Url, Failure> {
    let url = Url::parse(text)
        .map_err(|e| Failure::usage(format!("the resource is not an absolute URL: {e}")))?;
    if url.fragment().is_some() {
        return Err(Failure::usage(
            "the resource must not have a fragment (RFC 8707 §2)",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Failure::usage("the resource must not hold credentials"));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        _ => Err(Failure::usage(
            "the resource must use https (http is allowed only on 127.0.0.1, [::1], localhost)",
        )),
    }
}

/// The `resource_metadata` of a `Bearer` challenge in `reply`'s
/// `WWW-Authenticate` headers (RFC 9728 §5.1), if any.
fn metadata_pointer(reply: &Reply) -> Option<String> {
    reply.www_authenticate.iter().find_map(|header| {
        http_auth::parser::ChallengeParser::new(header)
            .filter_map(Result::ok)
            .filter(|c| c.scheme.eq_ignore_ascii_case("bearer"))
            .find_map(|c| {
                c.params
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case("resource_metadata"))
                    .map(|(_, value)| value.to_unescaped())
            })
    })
}

/// RFC 9728 §3.1: the well-known suffix goes between the host and the
/// resource's path; then, for a resource with a path, the root document
/// (the MCP spec's fallback).
fn candidates(resource: &Url) -> Vec<Url> {
    let path = resource.path().trim_end_matches('/');
    let at = |path: &str| {
        let mut url = resource.clone();
        url.set_path(path);
        url.set_query(None);
        url
    };
    let mut urls = vec![at(&format!("/.well-known/oauth-protected-resource{path}"))];
    if !path.is_empty() {
        urls.push(at("/.well-known/oauth-protected-resource"));
    }
    urls
}

/// Finds the resource's metadata: the pointer in the 401 of an
/// unauthenticated GET of the resource, else the well-known URLs. Picks
/// `issuer` from its `authorization_servers` if given (it must be listed),
/// else the first one.
pub(crate) fn discover(resource: &Url, issuer: Option<&str>) -> Result<Protected, Failure> {
    // Only the resource's origin: a pointer elsewhere is refused, so an
    // untrusted resource cannot make this tool fetch other hosts.
    let http = Http::for_issuer(resource)?;
    let probe = http.get(resource, "")?;
    let mut tried = Vec::new();
    let urls = match metadata_pointer(&probe).filter(|_| probe.status == 401) {
        Some(pointer) => {
            let url = Url::parse(&pointer).map_err(|e| {
                Failure::network(format!(
                    "the resource's WWW-Authenticate resource_metadata is not a URL: {e}"
                ))
            })?;
            if !http.same_origin(&url) {
                return Err(Failure::usage(format!(
                    "the resource's metadata pointer {url} is not on the resource's origin: pkce only fetches it from there"
                )));
            }
            vec![url]
        }
        None => {
            tried.push(format!(
                "{resource} answered HTTP {} without a Bearer resource_metadata",
                probe.status
            ));
            candidates(resource)
        }
    };
    for url in urls {
        let reply = http.get(&url, "")?;
        if reply.status == 200 {
            let value: Value = serde_json::from_str(&reply.body).map_err(|e| {
                Failure::network(format!("the resource metadata at {url} is not JSON: {e}"))
            })?;
            return check(resource, url, &value, issuer);
        }
        tried.push(format!("{url} (HTTP {})", reply.status));
    }
    Err(Failure::network(format!(
        "no protected resource metadata (RFC 9728): {}",
        tried.join("; ")
    )))
}

fn check(
    resource: &Url,
    url: Url,
    value: &Value,
    wanted: Option<&str>,
) -> Result<Protected, Failure> {
    let named = value
        .get("resource")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Failure::network(format!("the resource metadata at {url} has no resource"))
        })?;
    // RFC 9728 §3.3: the metadata is for the resource the client asked
    // about, or it must not be used (compared as URLs: same serialization).
    if Url::parse(named).ok().as_ref() != Some(resource) {
        return Err(Failure::network(format!(
            "the resource metadata at {url} is for {named:?}, not {:?} (RFC 9728 §3.3: they must be identical)",
            resource.as_str()
        )));
    }
    let servers: Vec<&str> = value
        .get("authorization_servers")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let trim = |s: &str| s.strip_suffix('/').unwrap_or(s).to_owned();
    let issuer = match (wanted, servers.first()) {
        (_, None) => {
            return Err(Failure::network(format!(
                "the resource metadata at {url} names no authorization_servers"
            )));
        }
        (Some(wanted), _) => servers
            .iter()
            .find(|s| trim(s) == trim(wanted))
            .ok_or_else(|| {
                Failure::usage(format!(
                    "the resource names the authorization servers {servers:?}, not {wanted}"
                ))
            })?,
        (None, Some(first)) => first,
    };
    Ok(Protected {
        resource: named.to_owned(),
        issuer: (*issuer).to_owned(),
        metadata_url: url,
    })
}

/// The MCP rule: `code_challenge_methods_supported` present and listing
/// S256, whether the metadata came from RFC 8414 or OpenID discovery
/// (`ChallengeMethod::negotiate`); the refusal quotes the MCP sentence.
pub(crate) fn require_s256(meta: &Metadata) -> Result<(), Failure> {
    ChallengeMethod::negotiate(meta.methods.as_deref())
        .map(drop)
        .map_err(|e| {
            let sentence = match e {
                FlowError::MethodsNotAdvertised => MCP_ABSENT,
                _ => MCP_S256,
            };
            Failure::usage(format!(
                "{}: {e}: pkce login only runs S256 flows; {sentence}",
                meta.issuer
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(headers: &[&str]) -> Reply {
        Reply {
            status: 401,
            location: None,
            set_cookies: Vec::new(),
            content_type: String::new(),
            www_authenticate: headers.iter().map(|h| (*h).to_owned()).collect(),
            body: String::new(),
        }
    }

    #[test]
    fn the_pointer_comes_from_a_bearer_challenge_only() {
        let url = "https://rs.example/.well-known/oauth-protected-resource/mcp";
        assert_eq!(
            metadata_pointer(&reply(&[&format!(
                "Bearer error=\"invalid_token\", error_description=\"a, b\", resource_metadata=\"{url}\""
            )])),
            Some(url.to_owned())
        );
        assert_eq!(
            metadata_pointer(&reply(&[
                "Basic realm=\"x\"",
                &format!(
                    "Basic resource_metadata=\"https://evil.example\", bearer resource_metadata=\"{url}\""
                ),
            ])),
            Some(url.to_owned())
        );
        assert_eq!(metadata_pointer(&reply(&["Bearer realm=\"x\""])), None);
        assert_eq!(metadata_pointer(&reply(&[])), None);
    }

    #[test]
    fn well_known_urls_insert_the_path_then_try_the_root() {
        let urls = |s: &str| -> Vec<String> {
            candidates(&Url::parse(s).unwrap())
                .iter()
                .map(Url::to_string)
                .collect()
        };
        assert_eq!(
            urls("https://rs.example/public/mcp?x=1"),
            [
                "https://rs.example/.well-known/oauth-protected-resource/public/mcp",
                "https://rs.example/.well-known/oauth-protected-resource",
            ]
        );
        assert_eq!(
            urls("https://rs.example"),
            ["https://rs.example/.well-known/oauth-protected-resource"]
        );
    }

    #[test]
    fn the_metadata_must_be_for_this_resource_and_name_the_chosen_server() {
        let resource = Url::parse("https://rs.example/mcp").unwrap();
        let url =
            Url::parse("https://rs.example/.well-known/oauth-protected-resource/mcp").unwrap();
        let doc = |r: &str| serde_json::json!({"resource": r, "authorization_servers": ["https://as.example/", "https://as2.example"]});
        let ok = check(&resource, url.clone(), &doc("https://rs.example/mcp"), None).unwrap();
        assert_eq!(ok.issuer, "https://as.example/");
        let two = check(
            &resource,
            url.clone(),
            &doc("https://rs.example/mcp"),
            Some("https://as2.example/"),
        )
        .unwrap();
        assert_eq!(two.issuer, "https://as2.example");
        assert!(
            check(
                &resource,
                url.clone(),
                &doc("https://rs.example/other"),
                None
            )
            .is_err()
        );
        assert!(
            check(
                &resource,
                url.clone(),
                &doc("https://rs.example/mcp"),
                Some("https://as3.example")
            )
            .is_err()
        );
        let none =
            serde_json::json!({"resource": "https://rs.example/mcp", "authorization_servers": []});
        assert!(check(&resource, url, &none, None).is_err());
    }

    #[test]
    fn resource_syntax() {
        assert!(parse_resource("https://rs.example/mcp").is_ok());
        assert!(parse_resource("http://127.0.0.1:9/mcp").is_ok());
        assert!(parse_resource("http://rs.example/mcp").is_err());
        assert!(parse_resource("https://rs.example/mcp#f").is_err());
        assert!(parse_resource("/mcp").is_err());
    }
}
