//! `pkce probe` and `pkce login` against a real third-party authorization
//! server: node-oidc-provider (tests/fixtures/oidc-provider, version pinned
//! in its package.json and package-lock.json), started by the test on
//! 127.0.0.1. It approves every authorization request at once (see
//! server.mjs) and requires PKCE for every client.
//!
//! Installed under the target directory by support/fixture.rs; the one
//! allowed skip: when npm cannot reach the registry (or is not installed),
//! the tests print `SKIPPED: <reason>` and return. Any other install
//! failure fails them.

mod support;

use std::process::Command;

use serde_json::Value;
use support::fixture::{self, Server};
use support::{Running, run, visit};
use url::Url;

/// node-oidc-provider, installed under the target directory, on a free
/// port; killed on drop.
fn start() -> Result<Provider, String> {
    let dir = fixture::npm("oidc-provider")?;
    let mut node = Command::new("node");
    node.args(["server.mjs", "0"]).current_dir(dir);
    let server = Server::start(node);
    Ok(Provider {
        issuer: server.url.clone(),
        _server: server,
    })
}

struct Provider {
    issuer: String,
    _server: Server,
}

macro_rules! provider_or_skip {
    () => {
        server_or_skip!(start())
    };
}

fn probe_args(issuer: &str) -> Vec<&str> {
    vec![
        "probe",
        issuer,
        "--auto",
        "--scope",
        "openid",
        "--public-client",
        "app",
        "--confidential-client",
        "backend",
        "--client-secret",
        "backend-secret",
        "--confidential-redirect-uri",
        "https://backend.example.com/callback",
    ]
}

#[test]
fn probe_node_oidc_provider() {
    let provider = provider_or_skip!();
    let table = run(&probe_args(&provider.issuer));
    // Shown with --nocapture: the table quoted in the report.
    println!("{}", table.stdout);
    let mut args = probe_args(&provider.issuer);
    args.push("--json");
    let out = run(&args);
    let value: Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stderr));
    let result = |id: &str| {
        let rule = value["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap();
        (
            rule["outcome"].as_str().unwrap().to_owned(),
            rule["observed"].as_str().unwrap().to_owned(),
        )
    };
    // What oidc-provider enforces: S256 advertised, no challenge and plain
    // refused at the authorization endpoint, bad verifiers refused with
    // invalid_grant, the downgrade impossible (PKCE required for every
    // client), codes single-use.
    for id in [
        "metadata-s256",
        "missing-challenge",
        "plain",
        "method-case",
        "missing-verifier",
        "wrong-verifier",
        "downgrade",
        "replay",
        "cross-flow",
    ] {
        assert_eq!(result(id).0, "pass", "{id}: {}", table.stdout);
    }
    assert!(
        result("missing-challenge")
            .1
            .contains("error=invalid_request")
    );
    assert!(result("missing-verifier").1.contains("invalid_grant"));
    assert!(
        result("downgrade")
            .1
            .starts_with("authorization endpoint refused a request without code_challenge")
    );
    // Its one gap in 9.13.3: it checks a challenge's length (43 to 128)
    // and alphabet, not that an S256 challenge is 43 characters, so a
    // hex-encoded digest gets a code no verifier can redeem.
    let (outcome, observed) = result("malformed-challenge");
    assert_eq!(outcome, "fail");
    assert!(
        observed.starts_with(
            "authorization endpoint issued a code for a malformed S256 challenge, which no verifier can redeem (hex digest (64 characters)); padded (44 characters)"
        ) && observed.contains("truncated (42 characters)")
            && observed.contains("error=invalid_request"),
        "{observed}"
    );
    // And a failed guess does not consume the code: after invalid_grant
    // for a wrong verifier, the right one still gets a token.
    let (outcome, observed) = result("failed-attempt");
    assert_eq!(outcome, "fail");
    assert!(
        observed.starts_with("token endpoint refused a wrong verifier (HTTP 400 invalid_grant")
            && observed.contains("then issued an access token for the right one"),
        "{observed}"
    );
    assert_eq!(out.code, 1);
    assert_eq!(table.code, 1);
    assert!(
        table
            .stdout
            .contains("(not enforced: malformed-challenge, failed-attempt)"),
        "{}",
        table.stdout
    );
    assert!(!table.stdout.contains("backend-secret") && !out.stdout.contains("backend-secret"));
}

/// Follows `url` as a browser with cookies would, on the provider's origin,
/// until a redirect leaves it: returns that redirect.
fn follow(url: &str, origin: &str) -> String {
    let agent = support::browser();
    let mut jar: Vec<String> = Vec::new();
    let mut url = url.to_owned();
    for _ in 0..10 {
        let mut request = agent.get(&url);
        if !jar.is_empty() {
            request = request.header("Cookie", jar.join("; "));
        }
        let response = request.call().unwrap();
        for cookie in response.headers().get_all("set-cookie") {
            let pair = cookie
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_owned();
            jar.push(pair);
        }
        let location = response
            .headers()
            .get("location")
            .expect("a redirect")
            .to_str()
            .unwrap();
        let next = Url::parse(&url)
            .unwrap()
            .join(location)
            .unwrap()
            .to_string();
        if !next.starts_with(origin) {
            return next;
        }
        url = next;
    }
    panic!("too many redirects");
}

#[test]
fn login_node_oidc_provider() {
    let provider = provider_or_skip!();
    let mut login = Running::start(&[
        "login",
        &provider.issuer,
        "--client-id",
        "app",
        "--scope",
        "openid",
        "--no-browser",
        "--timeout",
        "60",
    ]);
    assert_eq!(
        login.next_stderr_line().as_deref(),
        Some("open this URL in a browser:")
    );
    let url = login.next_stderr_line().unwrap();
    assert!(
        url.starts_with(&format!("{}/auth?", provider.issuer)),
        "{url}"
    );
    let redirect = follow(&url, &format!("{}/", provider.issuer));
    assert!(
        redirect.starts_with("http://127.0.0.1:") && redirect.contains("/callback?code="),
        "{redirect}"
    );
    // RFC 9207: oidc-provider sends iss, which login checks.
    assert!(redirect.contains("&iss="), "{redirect}");
    assert_eq!(visit(&support::browser(), &redirect), 200);
    let out = login.finish();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let tokens: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(
        tokens["access_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    // scope openid: an ID token too.
    assert!(
        tokens["id_token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
}
