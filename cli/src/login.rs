//! `pkce login`: one authorization code flow with PKCE, as a native app
//! runs it (RFC 8252): discovery, a loopback redirect, the browser, the
//! checks of the response, the token exchange.

use std::io::{self, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proofkey::{ClientFlow, IssParameter};

use crate::authz::{self, Response};
use crate::discovery::{self, Metadata};
use crate::fail::{Failure, redact};
use crate::http::Http;
use crate::loopback::Loopback;
use crate::resource::{self, Protected};
use crate::token::{self, Client, Reply};

pub(crate) struct LoginArgs {
    /// The issuer; with `resource`, one of the resource's authorization servers.
    pub(crate) issuer: Option<String>,
    /// `--resource`: the protected resource (RFC 9728 discovery, RFC 8707).
    pub(crate) resource: Option<String>,
    pub(crate) client_id: Option<String>,
    /// `--register`: RFC 7591 registration when no client id is given.
    pub(crate) register: bool,
    pub(crate) client_secret: Option<String>,
    pub(crate) scope: Option<String>,
    pub(crate) redirect_uri: Option<String>,
    pub(crate) no_browser: bool,
    pub(crate) timeout: u64,
}

/// Seconds since the Unix epoch, the clock of [`ClientFlow`].
fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Runs the flow; `Ok` holds the token response as received.
pub(crate) fn run(args: &LoginArgs) -> Result<String, Failure> {
    let resource_url = args
        .resource
        .as_deref()
        .map(resource::parse_resource)
        .transpose()?;
    if let Some(issuer) = &args.issuer {
        discovery::parse_issuer(issuer)?;
    }
    // Usage first: a redirect URI the tool cannot receive on.
    let loopback = match &args.redirect_uri {
        Some(uri) => Loopback::bind_for(uri)?,
        None => Loopback::bind_any()?,
    };
    // --resource: the authorization server comes from the resource's
    // metadata (RFC 9728); the user sees which one before anything is sent.
    let protected = match &resource_url {
        Some(url) => Some(resource::discover(url, args.issuer.as_deref())?),
        None => None,
    };
    let issuer_text = match (&protected, &args.issuer) {
        (Some(Protected { issuer, .. }), _) | (None, Some(issuer)) => issuer,
        (None, None) => return Err(Failure::usage("give an ISSUER or --resource URL")),
    };
    let (name, issuer) = discovery::parse_issuer(issuer_text)?;
    let http = Http::for_issuer(&issuer)?;
    if let Some(p) = &protected {
        note(&format!(
            "the resource {} names the authorization server {} (metadata {})",
            p.resource, name, p.metadata_url
        ));
    }
    let meta = discovery::discover(&http, &name, &issuer)?;
    // The MCP rule: no S256 in the metadata, no flow (RFC 7636 §4.2).
    resource::require_s256(&meta)?;
    let client_id = match (&args.client_id, args.register) {
        (Some(id), _) => id.clone(),
        (None, true) => {
            let id = crate::register::register(&http, &meta, loopback.redirect_uri())?;
            note(&format!("registered the public client {id} (RFC 7591)"));
            id
        }
        (None, false) => return Err(Failure::usage("give --client-id ID or --register")),
    };
    let resource = protected.map(|p| p.resource);
    let client = Client::new(
        &meta,
        client_id,
        args.client_secret.clone(),
        loopback.redirect_uri().clone(),
    )
    .for_resource(resource.clone());

    // Bound to the issuer of the metadata (and the resource): the stored
    // text records them, and the checks after the redirect use the record.
    let flow = ClientFlow::from_rng(&mut getrandom::SysRng, now())
        .and_then(|flow| flow.for_issuer(&meta.issuer, resource.as_deref()))
        .map_err(|e| Failure::usage(e.to_string()))?;
    // Kept as the stored text a native app would keep; read back below
    // with the returned state, as the library's storage guide says.
    let stored = flow.to_stored();
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", client.id.as_str()),
        ("redirect_uri", client.redirect_uri.as_str()),
    ];
    if let Some(scope) = &args.scope {
        pairs.push(("scope", scope));
    }
    pairs.extend(flow.authorization_pairs());
    // RFC 8707 §2.1: the resource the token is for, in both requests.
    pairs.extend(flow.resource_pair());
    // The listener takes only the redirect carrying this state.
    let state = pairs
        .iter()
        .find(|(name, _)| *name == "state")
        .map(|(_, value)| (*value).to_owned())
        .unwrap_or_default();
    let url = authz::request_url(&meta.authorization_endpoint, &pairs);
    drop(flow);

    show(
        &url,
        args.no_browser,
        client.redirect_uri.as_str(),
        args.timeout,
    );
    let response = loopback
        .wait(Duration::from_secs(args.timeout), &state)?
        .ok_or_else(|| {
            Failure::refused(format!(
                "no authorization response at {} within {} s",
                client.redirect_uri, args.timeout
            ))
        })?;
    let (flow, code) = check_response(&meta, stored.secret(), &response)?;
    // The code and the verifier go only to the recorded issuer's token endpoint.
    flow.token_endpoint(&meta.issuer, meta.token_endpoint.as_str())
        .map_err(|e| Failure::refused(e.to_string()))?;
    let verifier = flow.token_pairs()[0].1;
    match token::redeem(&http, &meta, &client, code, Some(verifier))? {
        Reply::Issued(body) => Ok(one_line(&body)),
        refused => {
            let secrets = [
                code,
                verifier,
                args.client_secret.as_deref().unwrap_or_default(),
            ];
            Err(Failure::refused(format!(
                "the token endpoint refused the code: {}",
                redact(&refused.refusal_text(), &secrets)
            )))
        }
    }
}

/// One line on stderr (stdout is the token response's).
fn note(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Opens the browser, or prints the URL (stderr: stdout is the token
/// response's).
fn show(url: &url::Url, no_browser: bool, redirect_uri: &str, timeout: u64) {
    let mut err = io::stderr().lock();
    let opened = !no_browser && webbrowser::open(url.as_str()).is_ok();
    if opened {
        let _ = writeln!(err, "opened the authorization URL in the browser");
    } else {
        let _ = writeln!(err, "open this URL in a browser:\n{url}");
    }
    let _ = writeln!(
        err,
        "waiting for the redirect to {redirect_uri} ({timeout} s)"
    );
}

/// The checks of the authorization response, in order: `state` (RFC 6749
/// §10.12), `iss` against the flow's recorded issuer (RFC 9207 §2.4; an
/// error response with a wrong `iss` is not acted on), then `error` or `code`.
fn check_response<'r>(
    meta: &Metadata,
    stored: &str,
    response: &'r Response,
) -> Result<(ClientFlow, &'r str), Failure> {
    let state = response.state.as_deref().unwrap_or_default();
    let flow = ClientFlow::resume(stored, state, now())
        .map_err(|e| Failure::refused(format!("{e} (the redirect's state is not this flow's)")))?;
    let iss = IssParameter::from_metadata(Some(meta.iss_supported));
    flow.check_recorded_issuer(response.iss.as_deref(), iss)
        .map_err(|e| Failure::refused(e.to_string()))?;
    if let Some(error) = response.error_text() {
        return Err(Failure::refused(format!(
            "the authorization server refused the request: {error}"
        )));
    }
    let code = response.code.as_deref().ok_or_else(|| {
        Failure::refused("the authorization response has neither a code nor an error")
    })?;
    Ok((flow, code))
}

/// The JSON text on one line: whitespace outside strings removed, the
/// rest (member order, number spelling) as received.
pub(crate) fn one_line(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn one_line_keeps_strings_and_order() {
        let text = "{\n  \"b\": \"x y\\\" z\",\n  \"a\": [1, 2.50]\n}\n";
        assert_eq!(one_line(text), r#"{"b":"x y\" z","a":[1,2.50]}"#);
    }
}
