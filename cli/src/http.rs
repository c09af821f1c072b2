//! The HTTP client of `login` and `probe`: one origin, no redirects
//! followed by the library, no proxy, bounded time.

use std::time::Duration;

use ureq::Agent;
use url::{Host, Url};

use crate::fail::Failure;

/// How long one HTTP exchange may take, connection included.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(30);
/// The most a response body may have: metadata, a token response or an
/// error page are far smaller.
const BODY_LIMIT: u64 = 1024 * 1024;

/// A response, read whole.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) location: Option<String>,
    pub(crate) set_cookies: Vec<String>,
    pub(crate) content_type: String,
    /// Each `WWW-Authenticate` header value (RFC 9110 §11.6.1).
    pub(crate) www_authenticate: Vec<String>,
    pub(crate) body: String,
}

/// An HTTP client that only talks to `origin` (the issuer's).
pub(crate) struct Http {
    agent: Agent,
    origin: url::Origin,
}

impl Http {
    /// A client for the issuer `issuer`: `https`, or `http` on a loopback
    /// host only (RFC 6749 §3.1 requires TLS at the authorization endpoint).
    pub(crate) fn for_issuer(issuer: &Url) -> Result<Self, Failure> {
        match issuer.scheme() {
            "https" => {}
            "http" if is_loopback(issuer) => {}
            "http" => {
                return Err(Failure::usage(
                    "the issuer must use https (http is allowed only for loopback test servers: 127.0.0.1, [::1], localhost)",
                ));
            }
            _ => return Err(Failure::usage("the issuer must be an https URL")),
        }
        let agent = Agent::config_builder()
            // Status codes are answers to read, not errors.
            .http_status_as_error(false)
            // Redirects are read by the caller, which checks where they go.
            .max_redirects(0)
            // Traffic goes to the issuer only, never through a proxy named
            // by the environment.
            .proxy(None)
            .timeout_global(Some(EXCHANGE_TIMEOUT))
            .user_agent(concat!("pkce/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Self {
            agent,
            origin: issuer.origin(),
        })
    }

    /// Whether `url` is on the issuer's origin (scheme, host, port).
    pub(crate) fn same_origin(&self, url: &Url) -> bool {
        url.origin() == self.origin
    }

    fn check(&self, url: &Url) -> Result<(), Failure> {
        if self.same_origin(url) {
            Ok(())
        } else {
            Err(Failure::usage(format!(
                "refusing to send a request to {} : it is not on the issuer's origin {}",
                url.origin().ascii_serialization(),
                self.origin.ascii_serialization()
            )))
        }
    }

    /// GET `url`, with a `Cookie` header if `cookies` is not empty.
    pub(crate) fn get(&self, url: &Url, cookies: &str) -> Result<Reply, Failure> {
        self.check(url)?;
        let mut request = self.agent.get(url.as_str());
        if !cookies.is_empty() {
            request = request.header("Cookie", cookies);
        }
        read(
            url,
            request
                .header("Accept", "application/json, text/html")
                .call(),
        )
    }

    /// POST a form to `url`, with HTTP Basic credentials if `basic` is
    /// `Some((id, secret))` (RFC 6749 §2.3.1).
    pub(crate) fn post_form(
        &self,
        url: &Url,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> Result<Reply, Failure> {
        self.check(url)?;
        let mut request = self
            .agent
            .post(url.as_str())
            .header("Accept", "application/json");
        if let Some((id, secret)) = basic {
            request = request.header("Authorization", basic_header(id, secret));
        }
        read(url, request.send_form(form.iter().copied()))
    }
}

impl Http {
    /// POST a JSON document to `url` (RFC 7591 §3.1 client registration).
    pub(crate) fn post_json(&self, url: &Url, json: &str) -> Result<Reply, Failure> {
        self.check(url)?;
        let request = self
            .agent
            .post(url.as_str())
            .header("Accept", "application/json")
            .header("Content-Type", "application/json");
        read(url, request.send(json))
    }
}

fn read(
    url: &Url,
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Reply, Failure> {
    let network = |e: ureq::Error| {
        Failure::network(format!(
            "request to {} failed: {e}",
            url.origin().ascii_serialization()
        ))
    };
    let response = result.map_err(network)?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let status = response.status().as_u16();
    let location = header("location");
    let content_type = header("content-type").unwrap_or_default();
    let all = |name: &str| -> Vec<String> {
        response
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    };
    let set_cookies = all("set-cookie");
    let www_authenticate = all("www-authenticate");
    let body = response
        .into_body()
        .with_config()
        .limit(BODY_LIMIT)
        .lossy_utf8(true)
        .read_to_string()
        .map_err(network)?;
    Ok(Reply {
        status,
        location,
        set_cookies,
        content_type,
        www_authenticate,
        body,
    })
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))`: RFC 6749 §2.3.1
/// form-encodes both before joining them.
fn basic_header(id: &str, secret: &str) -> String {
    use base64ct::{Base64, Encoding as _};
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let joined = format!("{}:{}", enc(id), enc(secret));
    format!("Basic {}", Base64::encode_string(joined.as_bytes()))
}

/// `127.0.0.0/8`, `[::1]` or `localhost`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header_form_encodes_before_base64() {
        // RFC 6749 §2.3.1: "a:b" would split wrongly without encoding.
        let header = basic_header("a:b", "p w");
        let encoded = header.strip_prefix("Basic ").unwrap();
        use base64ct::{Base64, Encoding as _};
        let decoded = Base64::decode_vec(encoded).unwrap();
        assert_eq!(decoded, b"a%3Ab:p+w");
    }

    #[test]
    fn plain_http_only_for_loopback_issuers() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
            "https://as.example",
        ] {
            assert!(Http::for_issuer(&Url::parse(ok).unwrap()).is_ok(), "{ok}");
        }
        for bad in ["http://as.example", "ftp://127.0.0.1", "http://10.0.0.1"] {
            assert!(
                Http::for_issuer(&Url::parse(bad).unwrap()).is_err(),
                "{bad}"
            );
        }
    }
}
