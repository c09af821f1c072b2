//! `pkce probe --profile mcp RESOURCE_URL` against the demo's `/mcp`, over
//! real HTTP: the strict and the lenient verdict of each check, the exit
//! code on either, and the general rules it reuses failing where the demo
//! is weakened. (The TypeScript SDK's table is asserted in mcp_sdk.rs.)

mod support;

use demo::Weakness;
use serde_json::Value;
use support::{Demo, Finished, fixed_server, run};

/// The demo's clients: `spa` (public), `backend` (confidential).
const CLIENTS: [&str; 8] = [
    "--auto",
    "--public-client",
    "spa",
    "--confidential-client",
    "backend",
    "--client-secret",
    "backend-secret",
    "--confidential-redirect-uri",
];

fn probe_mcp(resource: &str, extra: &[&str]) -> (Finished, Value) {
    let mut args = vec!["probe", "--profile", "mcp", resource];
    args.extend_from_slice(&CLIENTS);
    args.extend_from_slice(&["https://backend.example.com/callback", "--concurrency", "8"]);
    args.extend_from_slice(extra);
    args.push("--json");
    let out = run(&args);
    let json: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}), exit {}: {}", out.code, out.stderr));
    (out, json)
}

/// Each check as `id strict lenient`.
fn verdicts(json: &Value) -> Vec<String> {
    json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c["id"].as_str().unwrap(),
                c["strict"],
                c["lenient"]
            )
            .replace('"', "")
        })
        .collect()
}

fn check<'j>(json: &'j Value, id: &str) -> &'j Value {
    json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

const ALL_PASS: [&str; 10] = [
    "resource-metadata pass pass",
    "methods-metadata pass pass",
    "resource pass pass",
    "plain pass pass",
    "missing-method pass pass",
    "missing-challenge pass pass",
    "downgrade pass pass",
    "iss pass pass",
    "loopback-port pass pass",
    "concurrent-redemption pass pass",
];

#[test]
fn the_demos_mcp_resource_passes_strict() {
    let demo = Demo::start(None);
    let resource = format!("{}/mcp", demo.issuer);
    let (out, json) = probe_mcp(&resource, &[]);
    assert_eq!(verdicts(&json), ALL_PASS, "{json:#}");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(json["issuer"], demo.issuer);
    assert_eq!(json["judged_on"], "strict");
    // Every row names its MCP revision.
    for c in json["checks"].as_array().unwrap() {
        assert!(c["spec"].as_str().unwrap().starts_with("MCP 20"), "{c}");
    }
    // The rows reuse the general rules, and the refusals are the PKCE ones.
    assert_eq!(check(&json, "plain")["reuses"], "plain");
    let plain = check(&json, "plain")["observed"].as_str().unwrap();
    assert!(plain.contains("error=invalid_request"), "{plain}");
    // resource went in the token requests too: the demo redeems a code
    // whose request named a resource only with the same resource.
    let log = demo.log.lines();
    assert!(
        log.iter()
            .any(|l| l.starts_with("mcp: 401 (no bearer token)")),
        "{log:?}"
    );
    assert!(!out.stdout.contains("backend-secret") && !out.stderr.contains("backend-secret"));
}

#[test]
fn a_demo_without_methods_metadata_fails_strict_and_passes_lenient() {
    let demo = Demo::start(Some(Weakness::NoMethodsMetadata));
    let resource = format!("{}/mcp", demo.issuer);
    let (out, json) = probe_mcp(&resource, &[]);
    let mut expected = ALL_PASS.map(str::to_owned).to_vec();
    expected[1] = "methods-metadata fail pass".to_owned();
    assert_eq!(verdicts(&json), expected, "{json:#}");
    let row = check(&json, "methods-metadata");
    assert!(
        row["observed"].as_str().unwrap().ends_with(
            "/.well-known/oauth-authorization-server: no code_challenge_methods_supported"
        ),
        "{row}"
    );
    assert!(
        row["lenient_warning"].as_str().unwrap().contains("PR #992"),
        "{row}"
    );
    assert_eq!(out.code, 1, "strict verdicts judge the exit code");
    // --lenient judges on the lenient verdicts: nothing fails.
    let (lenient, json) = probe_mcp(&resource, &["--lenient"]);
    assert_eq!(json["judged_on"], "lenient");
    assert_eq!(lenient.code, 0, "{}", lenient.stderr);
}

#[test]
fn the_reused_rules_fail_both_verdicts_where_the_demo_is_weakened() {
    for (weakness, id) in [
        (Weakness::Plain, "plain"),
        (Weakness::Downgrade, "downgrade"),
        (Weakness::MissingMethod, "missing-method"),
    ] {
        let demo = Demo::start(Some(weakness));
        let resource = format!("{}/mcp", demo.issuer);
        let (out, json) = probe_mcp(&resource, &["--lenient"]);
        let row = check(&json, id);
        assert_eq!(
            (&row["strict"], &row["lenient"]),
            (&"fail".into(), &"fail".into()),
            "{row}"
        );
        assert_eq!(out.code, 1, "{id}");
    }
}

#[test]
fn a_server_that_refuses_the_resource_fails_the_resource_check() {
    // It issues codes for no resource (RFC 8707 invalid_target) but serves
    // the same client without one: as curl shows against
    // `cargo run -p demo -- 0 --resource none`.
    let demo = Demo::start_configured(
        None,
        |port| format!("http://127.0.0.1:{port}"),
        |server| server.resources(Some(vec![])),
    );
    let resource = format!("{}/mcp", demo.issuer);
    let (out, json) = probe_mcp(&resource, &[]);
    let v = verdicts(&json);
    assert_eq!(
        v[..3],
        [
            "resource-metadata pass pass",
            "methods-metadata pass pass",
            "resource fail fail"
        ],
        "{json:#}"
    );
    assert!(
        v[3..].iter().all(|r| r.ends_with("skipped skipped")),
        "{v:?}"
    );
    assert_eq!(
        check(&json, "resource")["observed"],
        "with resource: a correct S256 authorization request for client spa got no code: \
         the authorization endpoint redirected with error=invalid_target (this server issues \
         no tokens for that resource); the same flow without resource got a token"
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    // The server really refused the resource, and really served the flow without it.
    let log = demo.log.lines();
    assert!(
        log.iter()
            .any(|l| l.starts_with("authorize client=spa: invalid_target (this server issues")),
        "{log:?}"
    );
    assert!(
        log.iter()
            .any(|l| l == "token client=spa: access token issued"),
        "{log:?}"
    );
}

#[test]
fn a_resource_without_metadata_fails_the_first_check_and_skips_the_rest() {
    let base = fixed_server(vec![]);
    let resource = format!("{base}/mcp");
    let (out, json) = probe_mcp(&resource, &[]);
    let v = verdicts(&json);
    assert_eq!(v[0], "resource-metadata fail fail", "{json:#}");
    assert!(
        v[1..].iter().all(|r| r.ends_with("skipped skipped")),
        "{v:?}"
    );
    let observed = check(&json, "resource-metadata")["observed"]
        .as_str()
        .unwrap();
    assert!(
        observed.contains("no protected resource metadata (RFC 9728)"),
        "{observed}"
    );
    assert_eq!(out.code, 1);
}

#[test]
fn the_table_shows_both_verdicts_side_by_side() {
    let demo = Demo::start(Some(Weakness::NoMethodsMetadata));
    let resource = format!("{}/mcp", demo.issuer);
    let out = run(&[
        "probe",
        "--profile",
        "mcp",
        &resource,
        "--auto",
        "--public-client",
        "spa",
        "--only",
        "plain",
    ]);
    assert_eq!(
        out.code, 2,
        "--only is for the general probe: {}",
        out.stderr
    );
    let out = run(&[
        "probe",
        "--profile",
        "mcp",
        &resource,
        "--auto",
        "--public-client",
        "spa",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.starts_with(&format!(
        "MCP profile probe of {resource} (authorization server {})",
        demo.issuer
    )));
    assert!(
        out.stdout
            .contains("\nFAIL          PASS+WARN     methods-metadata"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("\nSKIPPED       SKIPPED       downgrade"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.trim_end().ends_with(
        "strict: 8 passed, 1 failed, 0 inconclusive, 1 skipped; lenient: 9 passed, 0 failed, 0 inconclusive, 1 skipped; the exit code follows the strict verdicts"
    ), "{}", out.stdout);
}
