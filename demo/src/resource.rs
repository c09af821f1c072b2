//! Resource indicators (RFC 8707) and the access tokens' audiences.
//!
//! The authorization server issues tokens for any resource a client names
//! (an absolute URI without fragment, RFC 8707 §2); the resource is bound
//! to the code and becomes the token's audience. The protected resource
//! ([`crate::mcp`]) accepts a token only if that audience is its own.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use proofkey_store::CodeRecord;
use url::Url;

use crate::http::single;

/// RFC 8707 §2: the `invalid_target` error and its fixed description.
pub(crate) const INVALID_TARGET: &str = "invalid_target";

/// The `resource` parameter of a request: `Ok(None)` if absent, the
/// description of an `invalid_target` error if it is repeated, not an
/// absolute URI, or has a fragment (RFC 8707 §2).
pub(crate) fn requested(pairs: &[(String, String)]) -> Result<Option<&str>, &'static str> {
    // This server issues single-audience tokens: one resource per request.
    let resource = single(pairs, "resource")
        .map_err(|_| "this server accepts one resource parameter per request")?;
    let Some(resource) = resource else {
        return Ok(None);
    };
    match Url::parse(resource) {
        Ok(url) if url.fragment().is_some() => {
            Err("the resource must not include a fragment (RFC 8707 §2)")
        }
        Ok(url) if url.cannot_be_a_base() => {
            Err("the resource must be an absolute URI (RFC 8707 §2)")
        }
        Ok(_) => Ok(Some(resource)),
        Err(_) => Err("the resource must be an absolute URI (RFC 8707 §2)"),
    }
}

/// RFC 8707 §2: a well-formed `resource` this server issues no tokens for
/// (it serves the fixed list `served`, when it has one) is `invalid_target`.
pub(crate) fn served(
    served: Option<&[String]>,
    resource: Option<&str>,
) -> Result<(), &'static str> {
    match (served, resource) {
        (Some(list), Some(resource)) if !list.iter().any(|s| s == resource) => {
            Err("this server issues no tokens for that resource")
        }
        _ => Ok(()),
    }
}

/// Whether the token request's `resource` may redeem a code issued for
/// `bound`: the same value, compared exactly, or both absent. A client
/// that named a resource at the authorization endpoint names it again at
/// the token endpoint (RFC 8707 §2.2, required by MCP); this server does
/// not narrow or widen a code's audience.
pub(crate) fn same_target(bound: Option<&str>, requested: Option<&str>) -> bool {
    bound == requested
}

/// A code's `resource`, kept in its store record's application data (an
/// empty one is none: RFC 8707 §2 has no empty resource).
pub(crate) fn app_data(resource: Option<&str>) -> Vec<u8> {
    resource.unwrap_or_default().as_bytes().to_vec()
}

/// The `resource` a code was issued for, read back from its record.
pub(crate) fn stored(record: &CodeRecord) -> Option<&str> {
    std::str::from_utf8(record.app_data())
        .ok()
        .filter(|r| !r.is_empty())
}

/// An issued access token: its client and audience.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) client_id: &'static str,
    /// The resource the token is for (RFC 8707), `None` if none was named.
    pub(crate) audience: Option<String>,
    expires_at: Instant,
}

/// The access tokens this server issued and that have not expired.
/// Bounded: past [`Tokens::CAPACITY`] live tokens, the one closest to
/// expiry is forgotten (its bearer gets 401 and logs in again).
pub(crate) struct Tokens {
    live: Mutex<HashMap<String, Grant>>,
    lifetime: Duration,
}

impl Tokens {
    /// The most live tokens held at once.
    pub(crate) const CAPACITY: usize = 10_000;

    pub(crate) fn new(lifetime: Duration) -> Self {
        Self {
            live: Mutex::new(HashMap::new()),
            lifetime,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Grant>> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `token`, issued to `client_id` for `audience`.
    pub(crate) fn issue(&self, token: &str, client_id: &'static str, audience: Option<String>) {
        let now = Instant::now();
        let mut live = self.lock();
        if live.len() >= Self::CAPACITY {
            live.retain(|_, g| g.expires_at > now);
        }
        if live.len() >= Self::CAPACITY {
            let oldest = live
                .iter()
                .min_by_key(|(_, g)| g.expires_at)
                .map(|(t, _)| t.clone());
            if let Some(oldest) = oldest {
                live.remove(&oldest);
            }
        }
        let grant = Grant {
            client_id,
            audience,
            expires_at: now + self.lifetime,
        };
        live.insert(token.to_owned(), grant);
    }

    /// The grant of `token`, if this server issued it and it has not expired.
    pub(crate) fn find(&self, token: &str) -> Option<Grant> {
        let live = self.lock();
        live.get(token)
            .filter(|g| g.expires_at > Instant::now())
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(values: &[&str]) -> Vec<(String, String)> {
        values
            .iter()
            .map(|v| ("resource".to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn resource_syntax_follows_rfc8707() {
        assert_eq!(requested(&[]), Ok(None));
        assert_eq!(
            requested(&pairs(&["https://rs.example/mcp"])),
            Ok(Some("https://rs.example/mcp"))
        );
        assert!(requested(&pairs(&["https://rs.example/mcp#x"])).is_err());
        assert!(requested(&pairs(&["/mcp"])).is_err());
        assert!(requested(&pairs(&["mailto:a@b"])).is_err());
        assert!(requested(&pairs(&["https://a.example", "https://b.example"])).is_err());
    }

    #[test]
    fn a_fixed_list_serves_only_its_resources() {
        let list = ["https://rs.example/mcp".to_owned()];
        assert_eq!(served(None, Some("https://any.example")), Ok(()));
        assert_eq!(served(Some(&list), Some("https://rs.example/mcp")), Ok(()));
        assert!(served(Some(&list), Some("https://rs.example/mcp/")).is_err());
        assert!(served(Some(&[]), Some("https://rs.example/mcp")).is_err());
        // Without a resource, the request is the server's ordinary one.
        assert_eq!(served(Some(&[]), None), Ok(()));
    }

    #[test]
    fn tokens_are_bounded_and_expire() {
        let tokens = Tokens::new(Duration::from_secs(60));
        for i in 0..=Tokens::CAPACITY {
            tokens.issue(&format!("t{i}"), "spa", None);
        }
        assert_eq!(tokens.lock().len(), Tokens::CAPACITY);
        assert!(tokens.find(&format!("t{}", Tokens::CAPACITY)).is_some());
        let expired = Tokens::new(Duration::ZERO);
        expired.issue("t", "spa", Some("https://rs.example".to_owned()));
        assert!(expired.find("t").is_none());
    }
}
