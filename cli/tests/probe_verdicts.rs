//! What a verdict may rest on: a forged loopback answer cannot turn a
//! FAIL into a PASS; a refusal for client authentication is INCONCLUSIVE
//! (exit 3), never PASS; server text reaches the terminal escaped;
//! --fail-on, --only, --skip; servers without metadata; --param, nonce
//! and port 0; the table fits COLUMNS.

mod support;

#[path = "support/fake_as.rs"]
mod fake_as;

use demo::Weakness;
use serde_json::Value;
use support::{Demo, Running, browser, location, run, visit};
use url::Url;

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// (id, outcome) of each rule of a `--json` report.
fn outcomes(value: &Value) -> Vec<(String, String)> {
    value["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pair(id: &str, outcome: &str) -> (String, String) {
    (id.to_owned(), outcome.to_owned())
}

/// A local process answers the loopback redirect first, without a state
/// (and with a wrong one): the listener refuses both, waits for the real
/// redirect, and the weakened server's FAIL stands.
#[test]
fn a_forged_loopback_answer_cannot_turn_a_fail_into_a_pass() {
    let demo = Demo::start(Some(Weakness::MissingChallenge));
    let mut probe = Running::start(&[
        "probe",
        &demo.issuer,
        "--public-client",
        "spa",
        "--no-browser",
        "--timeout",
        "30",
        "--only",
        "missing-challenge",
    ]);
    let agent = browser();
    let mut forged = 0;
    while let Some(line) = probe.next_stderr_line() {
        let Some((_, url)) = line.split_once(": open ") else {
            continue;
        };
        let url = Url::parse(url).unwrap();
        let redirect_uri = url
            .query_pairs()
            .find(|(k, _)| k == "redirect_uri")
            .unwrap()
            .1
            .into_owned();
        // The attacker is first, as the issue reproduced it.
        for attack in [
            format!("{redirect_uri}?error=access_denied"),
            format!("{redirect_uri}?error=access_denied&state=guessed"),
        ] {
            assert_eq!(visit(&agent, &attack), 400, "{attack}");
            forged += 1;
        }
        let redirect = location(&agent, url.as_str()).expect("the demo redirects");
        assert_eq!(visit(&agent, &redirect), 200);
    }
    let out = probe.finish();
    assert!(forged >= 4, "{forged}");
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("FAIL          missing-challenge"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "0 passed, 1 failed, 0 inconclusive, 0 skipped (not enforced: missing-challenge)"
        ),
        "{}",
        out.stdout
    );
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
    let out = run(&[
        "probe",
        &fake.issuer,
        "--auto",
        "--public-client",
        "app",
        "--only",
        "missing-verifier",
    ]);
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

    let out = run(&[
        "probe",
        &fake.issuer,
        "--auto",
        "--public-client",
        "app",
        "--only",
        "missing-verifier",
        "--json",
    ]);
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
    let out = run(&[
        "probe",
        &fake.issuer,
        "--auto",
        "--public-client",
        "app",
        "--only",
        "missing-verifier",
        "--json",
    ]);
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
    let out = run(&[
        "probe",
        &fake.issuer,
        "--auto",
        "--public-client",
        "app",
        "--only",
        "missing-verifier",
        "--json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let rule = &json(&out.stdout)["rules"][0];
    assert_eq!(rule["outcome"], "pass");
    let note = rule["notes"][0].as_str().unwrap();
    assert!(
        note.contains("invalid_request") && note.contains("invalid_grant"),
        "{note}"
    );
}

#[test]
fn fail_on_only_and_skip() {
    // --weaken plain fails a high rule.
    let demo = Demo::start(Some(Weakness::Plain));
    let base = ["probe", &demo.issuer, "--auto", "--public-client", "spa"];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        run(&args)
    };
    assert_eq!(with(&[]).code, 1);
    assert_eq!(with(&["--fail-on", "high"]).code, 1);
    let out = with(&["--fail-on", "critical"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("FAIL          plain"), "{}", out.stdout);
    assert!(out.stdout.contains("\nhigh"), "{}", out.stdout);

    let out = with(&["--only", "plain", "replay", "--json"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        outcomes(&json(&out.stdout)),
        [pair("plain", "fail"), pair("replay", "pass")]
    );
    let out = with(&["--skip", "plain", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let ids = outcomes(&json(&out.stdout));
    assert_eq!(ids.len(), 14);
    assert!(
        ids.iter()
            .all(|(id, o)| id != "plain" && (o == "pass" || o == "skipped")),
        "{ids:?}"
    );
    // An unknown rule is a usage error.
    assert_eq!(with(&["--only", "nonsense"]).code, 2);
}

/// A server without metadata, reached by its endpoints: the metadata
/// rule is skipped with the reason, every other rule runs.
#[test]
fn endpoints_without_metadata() {
    let demo = Demo::start(None);
    let authz = format!("{}/authorize", demo.issuer);
    let token = format!("{}/token", demo.issuer);
    let out = run(&[
        "probe",
        &demo.issuer,
        "--auto",
        "--public-client",
        "spa",
        "--authorization-endpoint",
        &authz,
        "--token-endpoint",
        &token,
        "--json",
    ]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let value = json(&out.stdout);
    let rules = value["rules"].as_array().unwrap();
    assert_eq!(rules[0]["id"], "metadata-s256");
    assert_eq!(rules[0]["outcome"], "skipped");
    assert!(
        rules[0]["observed"]
            .as_str()
            .unwrap()
            .contains("--authorization-endpoint")
    );
    let iss = rules.iter().find(|r| r["id"] == "iss").unwrap();
    assert_eq!(iss["outcome"], "pass", "{iss}");
    assert!(
        iss["notes"][0]
            .as_str()
            .unwrap()
            .contains("does not advertise"),
        "{iss}"
    );
    // Another origin is refused.
    let out = run(&[
        "probe",
        &demo.issuer,
        "--auto",
        "--public-client",
        "spa",
        "--authorization-endpoint",
        "https://elsewhere.example/authorize",
        "--token-endpoint",
        &token,
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not on the issuer's origin"),
        "{}",
        out.stderr
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
fn the_table_fits_columns() {
    let demo = Demo::start(None);
    for columns in ["80", "100"] {
        let out = std::process::Command::new(support::pkce_bin())
            .args(["probe", &demo.issuer, "--auto", "--public-client", "spa"])
            .env("COLUMNS", columns)
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(0), "{stdout}");
        let width: usize = columns.parse().unwrap();
        // The first line is the issuer's URL, whatever its length.
        for line in stdout.lines().skip(1) {
            assert!(line.chars().count() <= width, "{columns}: {line:?}");
        }
        assert!(
            stdout.lines().any(|l| l.chars().count() > width - 12),
            "{stdout}"
        );
    }
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
