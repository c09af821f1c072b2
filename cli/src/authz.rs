//! The authorization request (RFC 6749 §4.1.1) and its response
//! (§4.1.2), and `--auto`: following the authorization endpoint's
//! redirects with an HTTP client instead of a browser.

use url::Url;

use crate::fail::Failure;
use crate::http::Http;

/// Redirects followed on the issuer's origin before the redirect URI
/// (a login or consent step that approves at once is two or three).
const MAX_HOPS: usize = 10;

/// The authorization URL: the endpoint (its own query kept, RFC 6749
/// §3.1) with `pairs` appended, form-encoded.
pub(crate) fn request_url(endpoint: &Url, pairs: &[(&str, &str)]) -> Url {
    let mut url = endpoint.clone();
    url.query_pairs_mut().extend_pairs(pairs);
    url
}

/// The parameters of an authorization response (RFC 6749 §4.1.2,
/// §4.1.2.1, RFC 9207). Holds the code: never printed.
#[derive(Default)]
pub(crate) struct Response {
    pub(crate) code: Option<String>,
    pub(crate) state: Option<String>,
    pub(crate) iss: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) error_description: Option<String>,
}

impl Response {
    /// Reads the query of the redirect (or its fragment, if the query
    /// is empty). The first of a repeated parameter counts.
    pub(crate) fn from_redirect(url: &Url) -> Self {
        let pairs: Vec<(String, String)> = match (url.query(), url.fragment()) {
            (None | Some(""), Some(fragment)) => url::form_urlencoded::parse(fragment.as_bytes())
                .into_owned()
                .collect(),
            _ => url.query_pairs().into_owned().collect(),
        };
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        Self {
            code: get("code"),
            state: get("state"),
            iss: get("iss"),
            error: get("error"),
            error_description: get("error_description"),
        }
    }

    /// `error=...` and its description, for a message.
    pub(crate) fn error_text(&self) -> Option<String> {
        self.error.as_ref().map(|e| match &self.error_description {
            Some(d) => format!("error={e} ({d})"),
            None => format!("error={e}"),
        })
    }
}

/// Whether `url` is a redirect to `redirect_uri` (same scheme, host, port
/// and path; the query is the response).
pub(crate) fn is_redirect_to(url: &Url, redirect_uri: &Url) -> bool {
    url.scheme() == redirect_uri.scheme()
        && url.host_str() == redirect_uri.host_str()
        && url.port_or_known_default() == redirect_uri.port_or_known_default()
        && url.path() == redirect_uri.path()
}

/// Where the authorization endpoint left an HTTP client.
pub(crate) enum Landing {
    /// A redirect to the redirect URI: the authorization response.
    Redirected(Response),
    /// A response that is not a redirect: an error page, or a login or
    /// consent page that needs a person.
    Page { status: u16, error: Option<String> },
}

/// `--auto`: GETs `start` and follows redirects while they stay on the
/// issuer's origin, with the cookies they set (a jar for this one flow),
/// until one goes to `redirect_uri`. Nothing is sent to the redirect URI.
pub(crate) fn follow(http: &Http, start: &Url, redirect_uri: &Url) -> Result<Landing, Failure> {
    let mut url = start.clone();
    let mut jar: Vec<(String, String)> = Vec::new();
    for _ in 0..MAX_HOPS {
        let cookies = jar
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let reply = http.get(&url, &cookies)?;
        for line in &reply.set_cookies {
            keep_cookie(&mut jar, line);
        }
        let location = match (&reply.location, reply.status) {
            (Some(location), 300..=399) => location,
            _ => {
                return Ok(Landing::Page {
                    status: reply.status,
                    error: json_error(&reply.content_type, &reply.body),
                });
            }
        };
        let next = url.join(location).map_err(|e| {
            Failure::network(format!(
                "the authorization endpoint redirected to an invalid URL: {e}"
            ))
        })?;
        if is_redirect_to(&next, redirect_uri) {
            return Ok(Landing::Redirected(Response::from_redirect(&next)));
        }
        if !http.same_origin(&next) {
            return Err(Failure::usage(format!(
                "the authorization endpoint redirected to {}, neither the issuer's origin nor the redirect URI: --auto only follows redirects on the issuer's origin (run without --auto to use a browser)",
                next.origin().ascii_serialization()
            )));
        }
        url = next;
    }
    Err(Failure::network(format!(
        "the authorization endpoint redirected more than {MAX_HOPS} times without reaching the redirect URI"
    )))
}

/// Keeps `name=value` of a `Set-Cookie` line; the attributes do not
/// matter for one flow on one origin.
fn keep_cookie(jar: &mut Vec<(String, String)>, line: &str) {
    let pair = line.split(';').next().unwrap_or_default();
    if let Some((name, value)) = pair.split_once('=') {
        let name = name.trim().to_owned();
        jar.retain(|(n, _)| *n != name);
        jar.push((name, value.trim().to_owned()));
    }
}

/// `error` (and `error_description`) of a JSON error body; the `detail`
/// (or `title`) of an RFC 9457 `application/problem+json` one.
fn json_error(content_type: &str, body: &str) -> Option<String> {
    if !content_type.contains("json") {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let text = |key: &str| value.get(key).and_then(|v| v.as_str());
    if content_type.contains("problem+json") && text("error").is_none() {
        return text("detail")
            .or_else(|| text("title"))
            .map(|d| format!("problem: {d}"));
    }
    let error = value.get("error")?.as_str()?;
    Some(
        match value.get("error_description").and_then(|d| d.as_str()) {
            Some(d) => format!("error={error} ({d})"),
            None => format!("error={error}"),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_reads_query_then_fragment() {
        let r = Response::from_redirect(
            &Url::parse("http://127.0.0.1:5/cb?code=c1&state=s&iss=http%3A%2F%2Fas&code=c2")
                .unwrap(),
        );
        assert_eq!(r.code.as_deref(), Some("c1"));
        assert_eq!(r.iss.as_deref(), Some("http://as"));
        let r = Response::from_redirect(
            &Url::parse("http://127.0.0.1:5/cb#error=access_denied&error_description=no").unwrap(),
        );
        assert_eq!(r.error_text().as_deref(), Some("error=access_denied (no)"));
        assert!(r.code.is_none());
    }

    #[test]
    fn redirect_match_ignores_the_query_only() {
        let ru = Url::parse("http://127.0.0.1:5/callback").unwrap();
        let yes = Url::parse("http://127.0.0.1:5/callback?code=x").unwrap();
        assert!(is_redirect_to(&yes, &ru));
        for no in [
            "http://127.0.0.1:6/callback",
            "http://127.0.0.1:5/other",
            "https://127.0.0.1:5/callback",
        ] {
            assert!(!is_redirect_to(&Url::parse(no).unwrap(), &ru), "{no}");
        }
    }

    #[test]
    fn cookie_jar_keeps_the_last_value_of_a_name() {
        let mut jar = Vec::new();
        keep_cookie(&mut jar, "_i=1; path=/interaction/x; httponly");
        keep_cookie(&mut jar, "_r=2; path=/auth/x");
        keep_cookie(&mut jar, "_i=3; path=/");
        assert_eq!(jar, [("_r".into(), "2".into()), ("_i".into(), "3".into())]);
    }
}
