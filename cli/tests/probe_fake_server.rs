//! `pkce probe` against a small fake server, for answers the demo never
//! gives: a refusal for client authentication is INCONCLUSIVE (exit 3),
//! never PASS, and its text reaches the terminal escaped; problem+json;
//! another error code than the RFC's; --param, nonce and port 0;
//! --client-auth post.

mod support;

#[path = "support/fake_as.rs"]
mod fake_as;

use serde_json::Value;
use support::run;
use url::Url;

/// `pkce probe ISSUER --auto --public-client app --only RULE`, then `extra`.
fn probe_one(issuer: &str, rule: &str, extra: &[&str]) -> support::Finished {
    let mut args = vec![
        "probe",
        issuer,
        "--auto",
        "--public-client",
        "app",
        "--only",
        rule,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// @node-oauth/oauth2-server's answer: without a verifier it asks for
/// client authentication (invalid_client), and the code stays redeemable.
/// That is no PKCE refusal: INCONCLUSIVE, exit 3. Its description, with
/// escape sequences, reaches the terminal escaped.
#[test]
fn a_refusal_for_client_authentication_is_inconclusive() {
    let hostile = "\u{1b}]0;pwned\u{7}\u{1b}[2Jclient authentication required";
    let body = serde_json::json!({"error": "invalid_client", "error_description": hostile});
    let fake = fake_as::start((400, "application/json", body.to_string()));
    let out = probe_one(&fake.issuer, "missing-verifier", &[]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("INCONCLUSIVE  missing-verifier"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "0 passed, 0 failed, 1 inconclusive, 0 skipped (inconclusive: missing-verifier)"
        ),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{7}'));
    assert!(
        out.stdout.contains("\\u{1b}]0;pwned\\u{7}"),
        "{}",
        out.stdout
    );

    let out = probe_one(&fake.issuer, "missing-verifier", &["--json"]);
    assert_eq!(out.code, 3);
    let value = json(&out.stdout);
    let rule = &value["rules"][0];
    assert_eq!(rule["outcome"], "inconclusive");
    assert_eq!(rule["severity"], "critical");
    let observed = rule["observed"].as_str().unwrap();
    assert!(
        observed.contains("HTTP 400 invalid_client")
            && observed.contains("invalid_client refuses something else than the PKCE parameters")
            && observed.contains("the right code_verifier then got a token for the same code"),
        "{observed}"
    );
}

/// RFC 9457 problem details: the `detail` is shown; an unknown OAuth
/// error code with a 400 is still a refusal, with a note naming both codes.
#[test]
fn problem_details_and_other_error_codes() {
    let body =
        r#"{"type":"about:blank","title":"Bad Request","detail":"code_verifier is required"}"#;
    let fake = fake_as::start((400, "application/problem+json", body.to_owned()));
    let out = probe_one(&fake.issuer, "missing-verifier", &["--json"]);
    let value = json(&out.stdout);
    let observed = value["rules"][0]["observed"].as_str().unwrap();
    assert!(
        observed.contains("(code_verifier is required)"),
        "{observed}"
    );
    // No OAuth error code at all: the reason is unknown.
    assert_eq!(value["rules"][0]["outcome"], "inconclusive", "{observed}");

    let body = r#"{"error":"invalid_request","error_description":"code_verifier required"}"#;
    let fake = fake_as::start((400, "application/json", body.to_owned()));
    let out = probe_one(&fake.issuer, "missing-verifier", &["--json"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let rule = &json(&out.stdout)["rules"][0];
    assert_eq!(rule["outcome"], "pass");
    let note = rule["notes"][0].as_str().unwrap();
    assert!(
        note.contains("invalid_request") && note.contains("invalid_grant"),
        "{note}"
    );
}

/// --param goes into every authorization request, with a fresh nonce
/// when the scope holds openid; port 0 in --redirect-uri is a port the OS
/// picks, with --auto too.
#[test]
fn params_nonce_and_port_zero() {
    let body = r#"{"error":"invalid_grant"}"#;
    let fake = fake_as::start((400, "application/json", body.to_owned()));
    let out = run(&[
        "probe",
        &fake.issuer,
        "--auto",
        "--public-client",
        "app",
        "--scope",
        "openid profile",
        "--param",
        "audience=api",
        "--redirect-uri",
        "http://127.0.0.1:0/cb",
        "--only",
        "missing-verifier",
    ]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let seen = fake.seen.lock().unwrap().clone();
    let authorizations: Vec<Url> = seen
        .iter()
        .filter(|r| r.starts_with("/authorize?"))
        .map(|r| Url::parse(&format!("{}{}", fake.issuer, r.trim_end())).unwrap())
        .collect();
    assert!(authorizations.len() >= 2, "{seen:?}");
    let mut nonces = Vec::new();
    for url in &authorizations {
        let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(q["audience"], "api");
        let redirect = Url::parse(&q["redirect_uri"]).unwrap();
        assert_eq!(redirect.path(), "/cb");
        assert_ne!(redirect.port(), Some(0), "{redirect}");
        nonces.push(q["nonce"].clone());
    }
    nonces.dedup();
    assert_eq!(
        nonces.len(),
        authorizations.len(),
        "a fresh nonce each time"
    );
    assert!(nonces.iter().all(|n| n.len() >= 22));
    // A parameter each rule sets itself cannot be overridden.
    let out = run(&[
        "probe",
        &fake.issuer,
        "--auto",
        "--public-client",
        "app",
        "--param",
        "state=x",
    ]);
    assert_eq!(out.code, 2);
}

#[test]
fn client_auth_post_sends_the_secret_in_the_form() {
    let fake = fake_as::start((
        400,
        "application/json",
        r#"{"error":"invalid_grant"}"#.to_owned(),
    ));
    let out = run(&[
        "probe",
        &fake.issuer,
        "--auto",
        "--confidential-client",
        "backend",
        "--client-secret",
        "s3cret+/=",
        "--client-auth",
        "post",
        "--only",
        "wrong-verifier",
    ]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let seen = fake.seen.lock().unwrap().clone();
    let tokens: Vec<&String> = seen.iter().filter(|r| r.starts_with("/token")).collect();
    assert!(!tokens.is_empty());
    for request in tokens {
        assert!(
            request.contains("client_secret=s3cret%2B%2F%3D"),
            "{request}"
        );
    }
    assert!(!out.stdout.contains("s3cret"));
}
