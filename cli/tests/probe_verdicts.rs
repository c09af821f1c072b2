//! What a verdict may rest on, against the demo: a forged loopback answer
//! cannot turn a FAIL into a PASS; --fail-on, --only, --skip; a server
//! reached without metadata; the table fits COLUMNS. Against a fake
//! server: tests/probe_fake_server.rs.

mod support;

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
