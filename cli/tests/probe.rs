//! `pkce probe` against the demo server: strict (every rule passes, exit
//! 0), and with each `--weaken RULE` (exactly that rule fails, exit 1, and
//! the output names it); `--allow-plain`; skipped rules; the browser mode
//! through the loopback listener, with the test as the browser. Errors:
//! tests/probe_errors.rs.

mod support;

use demo::Weakness;
use serde_json::Value;
use support::{Demo, Running, browser, location, run, visit};

const IDS: [&str; 10] = [
    "metadata-s256",
    "missing-challenge",
    "plain",
    "method-case",
    "malformed-challenge",
    "missing-verifier",
    "wrong-verifier",
    "downgrade",
    "replay",
    "cross-flow",
];

/// The done-when command of issue 13, with `extra` flags.
fn probe_args<'a>(issuer: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "probe",
        issuer,
        "--auto",
        "--public-client",
        "spa",
        "--confidential-client",
        "backend",
        "--client-secret",
        "backend-secret",
        "--confidential-redirect-uri",
        "https://backend.example.com/callback",
    ];
    args.extend_from_slice(extra);
    args
}

/// (result, id) of each table row, in order.
fn table_rows(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            match (words.next(), words.next()) {
                (Some(r @ ("PASS" | "FAIL" | "SKIP")), Some(id)) => {
                    Some((r.to_owned(), id.to_owned()))
                }
                _ => None,
            }
        })
        .collect()
}

fn json_rules(stdout: &str) -> Value {
    let value: Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    assert_eq!(stdout.trim().lines().count(), 1, "one line");
    value
}

#[test]
fn strict_demo_enforces_every_rule() {
    let demo = Demo::start(None);
    let out = run(&probe_args(&demo.issuer, &[]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let rows = table_rows(&out.stdout);
    let expected: Vec<(String, String)> =
        IDS.iter().map(|id| ("PASS".into(), (*id).into())).collect();
    assert_eq!(rows, expected, "{}", out.stdout);
    assert!(
        out.stdout.contains("10 passed, 0 failed, 0 skipped"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .starts_with(&format!("PKCE probe of {}\n", demo.issuer))
    );
    // Concrete refusals, quoted from the server.
    assert!(out.stdout.contains("invalid_grant"), "{}", out.stdout);
    assert!(
        out.stdout.contains("error=invalid_request"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("backend-secret") && !out.stderr.contains("backend-secret"));
    assert_eq!(out.stderr, "");
    // No request took a weakened path, and the server saw the attacks.
    let log = demo.log.lines();
    assert!(log.iter().all(|l| !l.contains("WEAKENED")), "{log:?}");
    assert!(
        log.iter().any(|l| l.contains("token client=backend")),
        "{log:?}"
    );
}

#[test]
fn strict_demo_as_json() {
    let demo = Demo::start(None);
    let out = run(&probe_args(&demo.issuer, &["--json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let value = json_rules(&out.stdout);
    assert_eq!(value["issuer"], demo.issuer.as_str());
    let rules = value["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, IDS);
    for rule in rules {
        assert_eq!(rule["result"], "pass", "{rule}");
        for field in ["rule", "requires", "observed"] {
            assert!(!rule[field].as_str().unwrap().is_empty(), "{rule}");
        }
        assert!(
            rule["requires"].as_str().unwrap().contains("RFC "),
            "{rule}"
        );
    }
    assert_eq!(value["summary"]["passed"], 10);
    assert_eq!(value["summary"]["failed"], 0);
    assert_eq!(value["summary"]["not_enforced"], serde_json::json!([]));
}

#[test]
fn each_weakened_demo_fails_exactly_its_rule() {
    for weakness in Weakness::ALL {
        // The rule each weakness breaks: its name, but for the metadata's.
        let id = match weakness {
            Weakness::NoMethodsMetadata => "metadata-s256",
            w => w.name(),
        };
        let demo = Demo::start(Some(weakness));
        let out = run(&probe_args(&demo.issuer, &[]));
        assert_eq!(out.code, 1, "--weaken {id}: {}\n{}", out.stdout, out.stderr);
        let failing: Vec<String> = table_rows(&out.stdout)
            .into_iter()
            .filter(|(r, _)| r != "PASS")
            .map(|(r, i)| format!("{r} {i}"))
            .collect();
        assert_eq!(
            failing,
            [format!("FAIL {id}")],
            "--weaken {id}: {}",
            out.stdout
        );
        assert!(
            out.stdout.contains(&format!(
                "9 passed, 1 failed, 0 skipped (not enforced: {id})"
            )),
            "--weaken {id}: {}",
            out.stdout
        );
        // The failure is the server's weakened path, not a probe mistake.
        let log = demo.log.lines();
        assert!(
            log.iter()
                .any(|l| l.contains(&format!("WEAKENED by --weaken {weakness}"))),
            "--weaken {id}: {log:?}"
        );
    }
}

#[test]
fn weakened_demo_as_json_names_the_rule_and_what_the_server_did() {
    let cases = [
        (
            Weakness::Downgrade,
            "token endpoint issued an access token for a code_verifier on a code issued without code_challenge",
        ),
        (
            Weakness::MissingVerifier,
            "token endpoint issued an access token without code_verifier",
        ),
        (
            Weakness::Plain,
            "authorization endpoint issued a code for code_challenge_method=plain; the token endpoint then issued an access token",
        ),
        (
            Weakness::MissingChallenge,
            "authorization endpoint issued a code to public client spa without code_challenge",
        ),
        (
            Weakness::Replay,
            "token endpoint issued a second access token for a code already redeemed",
        ),
    ];
    for (weakness, observed) in cases {
        let demo = Demo::start(Some(weakness));
        let out = run(&probe_args(&demo.issuer, &["--json"]));
        assert_eq!(out.code, 1, "{}", out.stderr);
        let value = json_rules(&out.stdout);
        assert_eq!(
            value["summary"]["not_enforced"],
            serde_json::json!([weakness.name()])
        );
        let rule = value["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == weakness.name())
            .unwrap();
        assert_eq!(rule["result"], "fail");
        assert!(
            rule["observed"].as_str().unwrap().starts_with(observed),
            "{rule}"
        );
    }
}

#[test]
fn allow_plain_checks_that_plain_is_verified() {
    let plain_row = |issuer: &str| {
        let out = run(&probe_args(issuer, &["--allow-plain", "--json"]));
        assert_eq!(out.code, 0, "{}", out.stdout);
        let value = json_rules(&out.stdout);
        value["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "plain")
            .unwrap()
            .clone()
    };
    // The weakened server allows plain and verifies it: deliberate, not a failure.
    let demo = Demo::start(Some(Weakness::Plain));
    let row = plain_row(&demo.issuer);
    assert_eq!(row["result"], "pass");
    let observed = row["observed"].as_str().unwrap();
    assert!(
        observed.contains("a wrong plain verifier was refused: HTTP 400 invalid_grant"),
        "{observed}"
    );
    // A strict server refuses plain: still a pass with --allow-plain.
    let row = plain_row(&Demo::start(None).issuer);
    assert_eq!(row["result"], "pass");
    assert!(
        row["observed"].as_str().unwrap().starts_with("refused: "),
        "{row}"
    );
}

#[test]
fn rules_needing_the_other_client_are_skipped_with_the_flag() {
    let demo = Demo::start(None);
    let out = run(&["probe", &demo.issuer, "--auto", "--public-client", "spa"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows = table_rows(&out.stdout);
    assert!(
        rows.contains(&("SKIP".into(), "downgrade".into())),
        "{rows:?}"
    );
    assert_eq!(rows.iter().filter(|(r, _)| r == "SKIP").count(), 1);
    assert!(
        out.stdout.contains("--confidential-client ID"),
        "{}",
        out.stdout
    );

    let out = run(&[
        "probe",
        &demo.issuer,
        "--auto",
        "--confidential-client",
        "backend",
        "--client-secret",
        "backend-secret",
        "--confidential-redirect-uri",
        "https://backend.example.com/callback",
        "--json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let value = json_rules(&out.stdout);
    let skipped: Vec<&str> = value["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["result"] == "skip")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["missing-challenge"]);
    assert_eq!(value["summary"]["passed"], 9);
}

#[test]
fn browser_mode_receives_each_code_on_the_loopback_listener() {
    let demo = Demo::start(None);
    let mut probe = Running::start(&[
        "probe",
        &demo.issuer,
        "--public-client",
        "spa",
        "--no-browser",
        "--timeout",
        "30",
    ]);
    let agent = browser();
    let mut codes = Vec::new();
    // The test is the browser: each authorization URL, then its redirect.
    while let Some(line) = probe.next_stderr_line() {
        let Some((_, url)) = line.split_once(": open ") else {
            continue;
        };
        let redirect = location(&agent, url).expect("the demo redirects");
        assert!(redirect.starts_with("http://127.0.0.1:"), "{redirect}");
        if let Some(code) = url::Url::parse(&redirect)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
        {
            codes.push(code.1.into_owned());
        }
        assert_eq!(visit(&agent, &redirect), 200);
    }
    let out = probe.finish();
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("9 passed, 0 failed, 1 skipped"),
        "{}",
        out.stdout
    );
    assert!(codes.len() >= 6, "{codes:?}");
    for code in &codes {
        assert!(!out.stdout.contains(code.as_str()), "a code was printed");
    }
}
