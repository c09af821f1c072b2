//! `pkce login --resource` against a real third-party MCP authorization
//! server: the official TypeScript SDK (`@modelcontextprotocol/sdk`,
//! pinned in tests/fixtures/mcp-sdk/package.json and package-lock.json):
//! `mcpAuthRouter` with the SDK's in-memory demo provider, which approves
//! at once and registers clients dynamically (RFC 7591), and an `/mcp`
//! behind the SDK's `requireBearerAuth` that accepts only tokens issued
//! for it. See tests/fixtures/mcp-sdk/server.mjs.
//!
//! The packages are installed with `npm ci` under the target directory by
//! `support::fixture`, never in the source tree. The one allowed skip: npm
//! cannot reach the registry (the tests print `SKIPPED: <reason>`; with
//! `PROOFKEY_REQUIRE_FIXTURES=1`, as in CI, they fail instead).

mod support;

use std::process::Command;

use serde_json::Value;
use support::fixture::{self, Server};
use support::{Running, browser, location, visit};
use url::Url;

/// The SDK's server on a free port (`tests/fixtures/mcp-sdk/server.mjs`,
/// installed under the target directory); killed on drop.
fn start() -> Result<Server, String> {
    let dir = fixture::npm("mcp-sdk")?;
    let mut node = Command::new("node");
    node.arg("server.mjs").current_dir(dir);
    Ok(Server::start(node))
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[test]
fn login_with_resource_and_registration_against_the_typescript_sdk() {
    let sdk = server_or_skip!(start());
    let resource = format!("{}/mcp", sdk.url);
    // Without a token, the SDK's /mcp points to its metadata (RFC 9728 §5.1).
    let agent = browser();
    let unauthenticated = agent.get(&resource).call().unwrap();
    assert_eq!(unauthenticated.status().as_u16(), 401);

    let mut login = Running::start(&[
        "login",
        "--resource",
        &resource,
        "--register",
        "--no-browser",
        "--timeout",
        "60",
    ]);
    // The SDK names its issuer with a trailing slash; pkce shows it without.
    assert_eq!(
        login.next_stderr_line().unwrap(),
        format!(
            "the resource {resource} names the authorization server {} (metadata {}/.well-known/oauth-protected-resource/mcp)",
            sdk.url, sdk.url
        )
    );
    let registered = login.next_stderr_line().unwrap();
    let client_id = registered
        .strip_prefix("registered the public client ")
        .and_then(|rest| rest.strip_suffix(" (RFC 7591)"))
        .unwrap_or_else(|| panic!("{registered}"))
        .to_owned();
    assert_eq!(
        login.next_stderr_line().as_deref(),
        Some("open this URL in a browser:")
    );
    let url = Url::parse(&login.next_stderr_line().unwrap()).unwrap();
    login.next_stderr_line().unwrap();
    assert_eq!(param(&url, "client_id"), Some(client_id));
    assert_eq!(param(&url, "resource"), Some(resource.clone()));
    assert_eq!(
        param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );

    // The demo provider approves at once: one redirect to the loopback.
    let redirect = location(&agent, url.as_str()).expect("a redirect");
    assert_eq!(visit(&agent, &redirect), 200);
    let out = login.finish();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let tokens: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(tokens["token_type"], "bearer");
    let token = tokens["access_token"].as_str().unwrap();

    // The SDK's requireBearerAuth accepts it for /mcp: the provider only
    // redeems a code whose authorization request named this resource, and
    // records it as the token's resource.
    let reply = agent
        .get(&resource)
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    let body: Value = serde_json::from_str(&reply.into_body().read_to_string().unwrap()).unwrap();
    assert_eq!(body["resource"], Value::String(resource));
}

/// `pkce probe --profile mcp` against the SDK's server, with a client it
/// registers: the exact table of strict and lenient verdicts (each checked
/// with curl against SDK 1.32; see cli/README.md).
#[test]
fn probe_profile_mcp_against_the_typescript_sdk() {
    let sdk = server_or_skip!(start());
    let resource = format!("{}/mcp", sdk.url);
    let out = support::run(&[
        "probe",
        "--profile",
        "mcp",
        &resource,
        "--auto",
        "--register",
        "--concurrency",
        "8",
        "--json",
    ]);
    let json: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}), exit {}: {}", out.code, out.stderr));
    let checks = json["checks"].as_array().unwrap();
    let table: Vec<String> = checks
        .iter()
        .map(|c| format!("{} {} {}", c["id"], c["strict"], c["lenient"]).replace('"', ""))
        .collect();
    assert_eq!(
        table,
        [
            "resource-metadata pass pass",
            "methods-metadata pass pass",
            "resource pass pass",
            "plain pass pass",
            "missing-method pass pass",
            "missing-challenge pass pass",
            "downgrade skipped skipped",
            "iss pass pass",
            "loopback-port fail pass",
            "concurrent-redemption pass pass",
        ],
        "{json:#}"
    );
    let row = |id: &str| checks.iter().find(|c| c["id"] == id).unwrap();
    // The SDK refuses a loopback redirect URI on another port than the
    // registered one (RFC 8252 §7.3 says any port): strict FAIL; its own
    // clients register the URI they listen on: lenient PASS with a warning.
    let loopback = row("loopback-port");
    assert!(
        loopback["observed"]
            .as_str()
            .unwrap()
            .contains("error=invalid_request (Unregistered redirect_uri)"),
        "{loopback}"
    );
    assert!(loopback["lenient_warning"].is_string(), "{loopback}");
    // And it redirected that error to the unregistered URI.
    assert!(
        loopback["notes"][0]
            .as_str()
            .unwrap()
            .contains("RFC 6749 §4.1.2.1 says it MUST NOT redirect to an invalid redirect URI"),
        "{loopback}"
    );
    // The SDK sends no iss and advertises none: SEP-2468 lets clients go on.
    assert!(
        row("iss")["observed"]
            .as_str()
            .unwrap()
            .starts_with("success: no iss; error: no iss"),
        "{}",
        row("iss")
    );
    // Its PKCE refusals are schema errors on the method and challenge.
    for id in ["plain", "missing-method", "missing-challenge"] {
        let observed = row(id)["observed"].as_str().unwrap();
        assert!(
            observed.starts_with("refused: redirected with error=invalid_request"),
            "{id}: {observed}"
        );
    }
    assert_eq!(out.code, 1, "strict: loopback-port fails; {}", out.stderr);
    assert_eq!(
        json["summary"]["lenient"],
        "9 passed, 0 failed, 0 inconclusive, 1 skipped"
    );
}
