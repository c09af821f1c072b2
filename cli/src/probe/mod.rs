//! `pkce probe`: checks that a live authorization server enforces PKCE,
//! rule by rule, with the clients the user names. Traffic goes to the
//! issuer's origin only (and, through the browser, back to the loopback
//! listener).

mod catalog;
mod report;
mod rules;
mod session;

use std::time::Duration;

use url::Url;

pub(crate) use report::Report;
use report::Row;
use session::{Mode, ProbeClient, Session};

use crate::discovery;
use crate::fail::Failure;
use crate::http::{Http, is_loopback};
use crate::loopback::Loopback;
use crate::token::Client;

pub(crate) struct ProbeArgs {
    pub(crate) issuer: String,
    pub(crate) public_client: Option<String>,
    pub(crate) confidential_client: Option<String>,
    pub(crate) client_secret: Option<String>,
    pub(crate) redirect_uri: Option<String>,
    pub(crate) confidential_redirect_uri: Option<String>,
    pub(crate) scope: Option<String>,
    pub(crate) auto: bool,
    pub(crate) no_browser: bool,
    pub(crate) allow_plain: bool,
    pub(crate) timeout: u64,
}

const NEEDS_CONFIDENTIAL: &str =
    "a confidential client: --confidential-client ID --client-secret S";
const NEEDS_PUBLIC: &str = "a public client: --public-client ID";

/// Runs every rule; `Err` for usage, network and setup errors (exit 2).
pub(crate) fn run(args: &ProbeArgs) -> Result<Report, Failure> {
    let (name, issuer) = discovery::parse_issuer(&args.issuer)?;
    let http = Http::for_issuer(&issuer)?;
    let meta = discovery::discover(&http, &name, &issuer)?;
    let mode = if args.auto {
        Mode::Auto
    } else {
        Mode::Browser {
            open: !args.no_browser,
            timeout: Duration::from_secs(args.timeout),
        }
    };
    let mut s = Session::new(http, meta, mode, args.scope.clone());
    if let Some(secret) = &args.client_secret {
        s.keep_secret(secret);
    }

    let public = match &args.public_client {
        Some(id) => {
            let (uri, listener) = redirect(&mut s, args.redirect_uri.as_deref(), None)?;
            Some(ProbeClient {
                client: Client::new(&s.meta, id.clone(), None, uri),
                listener,
            })
        }
        None => None,
    };
    let confidential = match &args.confidential_client {
        Some(id) => {
            let shared = public
                .as_ref()
                .map(|p| (p.client.redirect_uri.clone(), p.listener));
            let (uri, listener) =
                redirect(&mut s, args.confidential_redirect_uri.as_deref(), shared)?;
            Some(ProbeClient {
                client: Client::new(&s.meta, id.clone(), args.client_secret.clone(), uri),
                listener,
            })
        }
        None => None,
    };
    // The rules that any client can run use the public one if there is one.
    let Some(main) = public.as_ref().or(confidential.as_ref()) else {
        return Err(Failure::usage(
            "name a client: --public-client ID and/or --confidential-client ID --client-secret S",
        ));
    };

    // Controls first: each client gets a token with a correct S256 flow.
    let redeemed = rules::baseline(&mut s, main)?;
    if let (Some(c), Some(_)) = (&confidential, &public) {
        rules::baseline(&mut s, c)?;
    }

    let mut rows: Vec<Row> = vec![rules::metadata_s256(&s)];
    rows.push(match &public {
        Some(p) => rules::missing_challenge(&mut s, p)?,
        None => rules::skipped(&catalog::MISSING_CHALLENGE, NEEDS_PUBLIC),
    });
    rows.push(rules::plain(&mut s, main, args.allow_plain)?);
    rows.push(rules::method_case(&mut s, main)?);
    rows.push(rules::malformed_challenge(&mut s, main)?);
    rows.push(rules::missing_verifier(&mut s, main)?);
    rows.push(rules::wrong_verifier(&mut s, main)?);
    rows.push(match &confidential {
        Some(c) => rules::downgrade(&mut s, c)?,
        None => rules::skipped(&catalog::DOWNGRADE, NEEDS_CONFIDENTIAL),
    });
    rows.push(rules::replay(&mut s, main, &redeemed)?);
    rows.push(rules::cross_flow(&mut s, main)?);
    Ok(Report { issuer: name, rows })
}

/// A client's redirect URI, and its listener in browser mode: the one the
/// user gave, else `shared` (the public client's), else a new loopback URI.
fn redirect(
    s: &mut Session,
    given: Option<&str>,
    shared: Option<(Url, Option<usize>)>,
) -> Result<(Url, Option<usize>), Failure> {
    let listen = |s: &mut Session, loopback: Loopback| {
        let uri = loopback.redirect_uri().clone();
        s.listeners.push(loopback);
        (uri, Some(s.listeners.len() - 1))
    };
    match (given, shared) {
        (Some(uri), _) => {
            let url = Url::parse(uri)
                .map_err(|e| Failure::usage(format!("the redirect URI {uri} is not a URL: {e}")))?;
            if s.is_auto() {
                // Nothing connects to it: the Location header is read.
                Ok((url, None))
            } else if is_loopback(&url) {
                Ok(listen(s, Loopback::bind_for(uri)?))
            } else {
                Err(Failure::usage(format!(
                    "the redirect URI {uri} is not a loopback URI: without --auto the probe receives each code on http://127.0.0.1:PORT/path (or pass --auto)"
                )))
            }
        }
        (None, Some(shared)) => Ok(shared),
        // Bound even with --auto: the redirect URI names a port of ours.
        (None, None) => Ok(listen(s, Loopback::bind_any()?)),
    }
}
