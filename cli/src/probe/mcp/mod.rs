//! `pkce probe --profile mcp RESOURCE_URL`: the MCP authorization spec's
//! checklist, from a protected resource (RFC 9728) to its authorization
//! server, running the general probe's rules where they exist. Each check
//! gets a strict verdict (the spec text) and a lenient one (what the
//! official SDKs accept: the TypeScript SDK assumes S256 when the metadata
//! names no method, PR #992, and always sends S256).

mod checks;
mod report;

use serde_json::Value;
use url::Url;

use self::checks::{
    ALL, CONCURRENT_REDEMPTION, DOWNGRADE, ISS, LOOPBACK_PORT, METHODS_METADATA, MISSING_CHALLENGE,
    MISSING_METHOD, PLAIN, RESOURCE, RESOURCE_METADATA,
};
pub(crate) use self::report::McpReport;
use self::report::McpRow;
use super::catalog;
use super::report::{Outcome, Severity};
use super::session::{Authz, ProbeClient, Refused, Session};
use super::{NEEDS_CONFIDENTIAL, ProbeArgs, confidential_client, redirect, rules, session};
use crate::discovery;
use crate::fail::Failure;
use crate::http::Http;
use crate::register;
use crate::resource;
use crate::token::{Client, Reply};

/// The lenient verdict's reason when the metadata names no method.
const SDK_ASSUMES_S256: &str = "the official TypeScript SDK assumes S256 when code_challenge_methods_supported is absent (PR #992) and proceeds; strict MCP clients refuse";

/// Runs the checklist; `Err` for usage, network and setup errors (exit 2).
pub(crate) fn run(args: &ProbeArgs) -> Result<McpReport, Failure> {
    let resource_url = resource::parse_resource(&args.issuer)?;
    let mut report = McpReport {
        resource: resource_url.to_string(),
        issuer: None,
        rows: Vec::new(),
    };
    let protected = match resource::discover(&resource_url, None) {
        Ok(p) => p,
        Err(f) => {
            report
                .rows
                .push(McpRow::new(&RESOURCE_METADATA, Outcome::Fail, f.message));
            return Ok(rest_skipped(report, "the resource's metadata"));
        }
    };
    report.rows.push(McpRow::new(
        &RESOURCE_METADATA,
        Outcome::Pass,
        format!(
            "{} names the authorization server {} for the resource {}",
            protected.metadata_url, protected.issuer, protected.resource
        ),
    ));
    report.issuer = Some(protected.issuer.clone());

    let (name, issuer) = discovery::parse_issuer(&protected.issuer)?;
    let http = Http::for_issuer(&issuer)?;
    let meta = discovery::discover(&http, &name, &issuer)?;
    report.rows.push(methods_row(&http, &issuer)?);

    let mut s = session(args, http, meta);
    // RFC 8707: the resource in every authorization request...
    s.params
        .push(("resource".to_owned(), protected.resource.clone()));
    let for_resource = |c: Client| c.for_resource(Some(protected.resource.clone()));
    let public = if args.register || args.public_client.is_some() {
        let (uri, listener) = redirect(&mut s, args.redirect_uri.as_deref(), None)?;
        let id = match &args.public_client {
            Some(id) => id.clone(),
            None => register::register(&Http::for_issuer(&issuer)?, &s.meta, &uri)?,
        };
        let client = for_resource(Client::new(&s.meta, id, None, uri));
        Some(ProbeClient { client, listener })
    } else {
        None
    };
    // ...and every token request.
    let confidential = confidential_client(args, &mut s, public.as_ref())?.map(|c| ProbeClient {
        client: for_resource(c.client),
        ..c
    });
    let Some(main) = public.as_ref().or(confidential.as_ref()) else {
        return Err(Failure::usage(
            "name a client: --public-client ID or --register (and/or --confidential-client ID --client-secret S)",
        ));
    };

    // The control: a correct S256 flow with the resource gets a token.
    if let Err(refused) = rules::try_baseline(&mut s, main)? {
        // Without the resource, the same flow tells a refused resource
        // from a setup error (client, redirect URI): that stays exit 2.
        let without = ProbeClient {
            client: Client {
                resource: None,
                ..clone_client(&main.client)
            },
            listener: main.listener,
        };
        let params = std::mem::take(&mut s.params);
        s.params = params
            .iter()
            .filter(|(n, _)| n != "resource")
            .cloned()
            .collect();
        rules::baseline(&mut s, &without)?;
        report.rows.push(McpRow::new(
            &RESOURCE,
            Outcome::Fail,
            format!(
                "with resource: {}; the same flow without resource got a token",
                refused.finding()
            ),
        ));
        return Ok(rest_skipped(report, "a flow with resource"));
    }
    report.rows.push(McpRow::new(
        &RESOURCE,
        Outcome::Pass,
        format!(
            "an S256 flow with resource={} in the authorization and the token request got a token",
            protected.resource
        ),
    ));

    let advertised_plain = s.meta.methods.iter().flatten().any(|m| m == "plain");
    let plain = McpRow::from_row(&PLAIN, rules::plain(&mut s, main, false)?);
    report.rows.push(if advertised_plain {
        plain_advertised(plain)
    } else {
        plain
    });
    report.rows.push(McpRow::from_row(
        &MISSING_METHOD,
        rules::missing_method(&mut s, main)?,
    ));
    report.rows.push(match &public {
        Some(p) => McpRow::from_row(&MISSING_CHALLENGE, rules::missing_challenge(&mut s, p)?),
        None => McpRow::new(
            &MISSING_CHALLENGE,
            Outcome::Skipped,
            "skipped: needs a public client: --public-client ID or --register",
        ),
    });
    report.rows.push(McpRow::from_row(
        &DOWNGRADE,
        match &confidential {
            Some(c) => rules::downgrade(&mut s, c)?,
            None => rules::skipped(&catalog::DOWNGRADE, NEEDS_CONFIDENTIAL),
        },
    ));
    let iss = rules::iss(&mut s, main)?;
    // SEP-2468: neither advertised nor sent, the client proceeds (the
    // general probe reports it at info, after OAuth 2.1 draft -16).
    let quiet =
        !s.meta.iss_supported && iss.outcome == Outcome::Fail && iss.severity == Severity::Info;
    let mut iss = McpRow::from_row(&ISS, iss);
    if quiet {
        iss.strict = Outcome::Pass;
        iss.lenient = Outcome::Pass;
        iss.notes.push(
            "SEP-2468: iss neither advertised nor sent, the client proceeds (the general probe's iss rule reports it at info)".to_owned(),
        );
    }
    report.rows.push(iss);
    report.rows.push(loopback_port(&mut s, args, main)?);
    let n = usize::from(args.concurrency);
    report.rows.push(McpRow::from_row(
        &CONCURRENT_REDEMPTION,
        rules::concurrent_redemption(&mut s, main, n)?,
    ));
    Ok(report)
}

/// The checks after the last row, skipped for want of `what`.
fn rest_skipped(mut report: McpReport, what: &str) -> McpReport {
    let done = report.rows.len();
    for check in ALL.iter().skip(done) {
        report.rows.push(McpRow::new(
            check,
            Outcome::Skipped,
            format!("skipped: needs {what}"),
        ));
    }
    report
}

/// Plain advertised: strict FAIL whatever the server then does (a strict
/// client reads the list); the SDKs send S256 regardless.
fn plain_advertised(mut row: McpRow) -> McpRow {
    row.observed = format!(
        "code_challenge_methods_supported lists plain; {}",
        row.observed
    );
    if row.strict == Outcome::Pass {
        row.strict = Outcome::Fail;
        return row.lenient_pass(
            "the SDKs always send S256: an advertised but refused plain does not reach them",
        );
    }
    row
}

/// `code_challenge_methods_supported` in every metadata document the
/// server serves (RFC 8414, OpenID discovery): strict, present with S256;
/// lenient, absent read as S256 (TypeScript SDK), present without S256
/// still refused.
fn methods_row(http: &Http, issuer: &Url) -> Result<McpRow, Failure> {
    let mut seen = Vec::new();
    let (mut absent, mut no_s256) = (false, false);
    for url in discovery::candidates(issuer) {
        let reply = http.get(&url, "")?;
        if reply.status != 200 {
            continue;
        }
        let value: Option<Value> = serde_json::from_str(&reply.body).ok();
        let methods = value
            .as_ref()
            .and_then(|v| v.get("code_challenge_methods_supported"))
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).collect::<Vec<_>>());
        seen.push(match methods {
            None => {
                absent = true;
                format!("{url}: no code_challenge_methods_supported")
            }
            Some(list) => {
                no_s256 |= !list.contains(&"S256");
                format!("{url}: lists {}", list.join(", "))
            }
        });
    }
    let observed = seen.join("; ");
    Ok(match (absent, no_s256) {
        (_, true) => McpRow::new(&METHODS_METADATA, Outcome::Fail, observed),
        (true, false) => {
            McpRow::new(&METHODS_METADATA, Outcome::Fail, observed).lenient_pass(SDK_ASSUMES_S256)
        }
        (false, false) => McpRow::new(&METHODS_METADATA, Outcome::Pass, observed),
    })
}

/// RFC 8252 §7.3: an S256 flow of the main client with its redirect URI
/// on another port (a new loopback listener). Lenient PASS when the server
/// offers registration: the SDK clients register the URI they listen on.
fn loopback_port(s: &mut Session, args: &ProbeArgs, main: &ProbeClient) -> Result<McpRow, Failure> {
    if args.redirect_uri.is_some() {
        return Ok(McpRow::new(
            &LOOPBACK_PORT,
            Outcome::Skipped,
            "skipped: runs with the default loopback redirect URI only (no --redirect-uri)",
        ));
    }
    let (uri, listener) = redirect(s, None, None)?;
    let client = Client {
        redirect_uri: uri.clone(),
        ..clone_client(&main.client)
    };
    let moved = ProbeClient { client, listener };
    let verifier = s.verifier()?;
    let challenge = verifier.challenge();
    let registered = &main.client.redirect_uri;
    let fail = |text: String| McpRow::new(&LOOPBACK_PORT, Outcome::Fail, text);
    let row = match s.authorize(&moved, &rules::pkce(challenge.as_str(), "S256"))? {
        Authz::NotIssued(refusal) => {
            let row = fail(format!(
                "the flow with {registered} works; with {uri} the authorization endpoint {refusal}"
            ));
            if matches!(refusal.how, Refused::Redirected { .. }) {
                row.with_note(format!(
                    "the error was redirected to {uri}, which the server does not accept: RFC 6749 §4.1.2.1 says it MUST NOT redirect to an invalid redirect URI"
                ))
            } else {
                row
            }
        }
        Authz::Issued(code) => match s.redeem(&moved, &code, Some(verifier.secret()))? {
            Reply::Issued(_) => McpRow::new(
                &LOOPBACK_PORT,
                Outcome::Pass,
                format!("the flow with {registered} also completes with {uri}"),
            ),
            refused => fail(format!(
                "the flow with {registered} works; with {uri} the token endpoint refused: {}",
                s.token_text(&refused)
            )),
        },
    };
    Ok(match (row.strict, &s.meta.registration_endpoint) {
        (Outcome::Fail, Some(_)) => row.lenient_pass(
            "the SDK clients register (RFC 7591) the redirect URI they listen on; a client with a pre-registered loopback URI and another port is refused",
        ),
        _ => row,
    })
}

/// The same client (`Client` holds a secret and is not `Clone`).
fn clone_client(c: &Client) -> Client {
    Client {
        id: c.id.clone(),
        secret: c.secret.clone(),
        redirect_uri: c.redirect_uri.clone(),
        auth: c.auth,
        resource: c.resource.clone(),
    }
}
