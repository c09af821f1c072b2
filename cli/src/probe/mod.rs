//! `pkce probe`: checks that a live authorization server enforces PKCE,
//! rule by rule, with the clients the user names. Traffic goes to the
//! issuer's origin only (and, through the browser, back to the loopback
//! listener).

mod args;
mod catalog;
pub(crate) mod mcp;
mod report;
mod rules;
mod session;
mod table;
mod verdict;

use std::time::Duration;

use url::Url;

use args::ClientAuth;
pub(crate) use args::{ProbeArgs, Profile};
use catalog::{DOWNGRADE, MISSING_CHALLENGE};
pub(crate) use report::Report;
use report::Row;
use session::{Mode, ProbeClient, Session};

use crate::discovery::{self, Metadata};
use crate::fail::Failure;
use crate::http::{Http, is_loopback};
use crate::loopback::Loopback;
use crate::token::{Auth, Client};

const NEEDS_CONFIDENTIAL: &str =
    "a confidential client: --confidential-client ID --client-secret S";
const NEEDS_PUBLIC: &str = "a public client: --public-client ID";

impl Report {
    /// The table, as wide as `COLUMNS` says (at least 80).
    pub(crate) fn table(&self) -> String {
        let columns = std::env::var("COLUMNS").ok();
        table::render(self, table::width(columns.as_deref()))
    }
}

/// The metadata, or the endpoints given on the command line.
fn metadata(args: &ProbeArgs, http: &Http, name: &str, issuer: &Url) -> Result<Metadata, Failure> {
    let (Some(authz), Some(token)) = (&args.authorization_endpoint, &args.token_endpoint) else {
        return discovery::discover(http, name, issuer);
    };
    let endpoint =
        |flag: &str, text: &str| discovery::endpoint_on_origin(http, &format!("--{flag}"), text);
    Ok(Metadata {
        issuer: name.to_owned(),
        authorization_endpoint: endpoint("authorization-endpoint", authz)?,
        token_endpoint: endpoint("token-endpoint", token)?,
        methods: None,
        token_auth_methods: None,
        iss_supported: false,
        registration_endpoint: None,
    })
}

/// A session with the mode, scope, parameters and secret of `args`.
fn session(args: &ProbeArgs, http: Http, meta: Metadata) -> Session {
    let mode = if args.auto {
        Mode::Auto
    } else {
        Mode::Browser {
            open: !args.no_browser,
            timeout: Duration::from_secs(args.timeout),
        }
    };
    let mut s = Session::new(http, meta, mode, args.scope.clone());
    s.params.clone_from(&args.params);
    if let Some(secret) = &args.client_secret {
        s.keep_secret(secret);
    }
    s
}

/// Runs every selected rule; `Err` for usage, network and setup errors (exit 2).
pub(crate) fn run(args: &ProbeArgs) -> Result<Report, Failure> {
    let (name, issuer) = discovery::parse_issuer(&args.issuer)?;
    let http = Http::for_issuer(&issuer)?;
    let meta = metadata(args, &http, &name, &issuer)?;
    let mut s = session(args, http, meta);

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
    let confidential = confidential_client(args, &mut s, public.as_ref())?;
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

    let mut rows: Vec<Row> = Vec::new();
    let on = |id: &str| args.selected(id);
    if on("metadata-s256") {
        rows.push(rules::metadata_s256(
            &s,
            args.authorization_endpoint.is_some(),
        ));
    }
    if on("missing-challenge") {
        rows.push(match &public {
            Some(p) => rules::missing_challenge(&mut s, p)?,
            None => rules::skipped(&MISSING_CHALLENGE, NEEDS_PUBLIC),
        });
    }
    if on("plain") {
        rows.push(rules::plain(&mut s, main, args.allow_plain)?);
    }
    type MainRule = fn(&mut Session, &ProbeClient) -> Result<Row, Failure>;
    let main_rules: [(&str, MainRule); 7] = [
        ("method-case", rules::method_case),
        ("malformed-challenge", rules::malformed_challenge),
        ("missing-method", rules::missing_method),
        ("missing-verifier", rules::missing_verifier),
        ("wrong-verifier", rules::wrong_verifier),
        ("failed-attempt", rules::failed_attempt),
        ("short-verifier", rules::short_verifier),
    ];
    for (id, rule) in main_rules {
        if on(id) {
            rows.push(rule(&mut s, main)?);
        }
    }
    if on("downgrade") {
        rows.push(match &confidential {
            Some(c) => rules::downgrade(&mut s, c)?,
            None => rules::skipped(&DOWNGRADE, NEEDS_CONFIDENTIAL),
        });
    }
    if on("replay") {
        rows.push(rules::replay(&mut s, main, &redeemed)?);
    }
    if on("concurrent-redemption") {
        let n = usize::from(args.concurrency);
        rows.push(rules::concurrent_redemption(&mut s, main, n)?);
    }
    if on("cross-flow") {
        rows.push(rules::cross_flow(&mut s, main)?);
    }
    if on("iss") {
        rows.push(rules::iss(&mut s, main)?);
    }
    Ok(Report { issuer: name, rows })
}

/// The confidential client the user named, if any: its redirect URI is the
/// public client's unless --confidential-redirect-uri gives one.
fn confidential_client(
    args: &ProbeArgs,
    s: &mut Session,
    public: Option<&ProbeClient>,
) -> Result<Option<ProbeClient>, Failure> {
    let Some(id) = &args.confidential_client else {
        return Ok(None);
    };
    let shared = public.map(|p| (p.client.redirect_uri.clone(), p.listener));
    let (uri, listener) = redirect(s, args.confidential_redirect_uri.as_deref(), shared)?;
    let mut client = Client::new(&s.meta, id.clone(), args.client_secret.clone(), uri);
    match args.client_auth {
        Some(ClientAuth::Basic) => client.auth = Auth::Basic,
        Some(ClientAuth::Post) => client.auth = Auth::Post,
        None => {}
    }
    Ok(Some(ProbeClient { client, listener }))
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
            if s.is_auto() && !(is_loopback(&url) && url.port() == Some(0)) {
                // Nothing connects to it: the Location header is read.
                Ok((url, None))
            } else if is_loopback(&url) {
                // Port 0: a port the OS picks, in every mode (held by the
                // listener so that the URI stays ours).
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
