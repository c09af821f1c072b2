//! `pkce probe` against django-oauth-toolkit 3.4.1 (Django 5.2, pinned in
//! tests/fixtures/python/requirements.txt), installed from PyPI into a
//! virtual environment under the target directory and started on
//! 127.0.0.1 (tests/fixtures/django-oauth-toolkit: a minimal project, a
//! logged-in user, both clients with skip_authorization, SQLite in a
//! scratch directory). It publishes RFC 8414 metadata, so the issuer alone
//! is enough. What it really does, checked with curl, is in
//! tests/fixtures/django-oauth-toolkit/BEHAVIOUR.md; each table below is
//! that, rule by rule.

mod support;

use std::process::Command;

use support::fixture::{self, Server};
use support::probed::probe;

fn start(config: &str) -> Result<Server, String> {
    let python = fixture::python()?;
    let db = fixture::scratch_dir("django-oauth-toolkit");
    let mut serve = Command::new(python);
    serve
        .arg(fixture::source("django-oauth-toolkit").join("serve.py"))
        .arg(config)
        .arg(&db);
    Ok(Server::start(serve).remove_on_drop(db))
}

/// As shipped: PKCE required (no code without a challenge), plain allowed.
#[test]
fn django_oauth_toolkit_default() {
    let server = server_or_skip!(start("default"));
    let probed = probe(&server.url, &[]);
    probed.assert(
        &[
            "metadata-s256 PASS",
            "missing-challenge PASS",
            // Allowed by default, and verified.
            "plain FAIL",
            "method-case PASS",
            // Hex, padded and 42-character challenges all get a code.
            "malformed-challenge FAIL",
            // No method reads as plain: a token for code_verifier=challenge.
            "missing-method FAIL",
            "missing-verifier PASS",
            "wrong-verifier PASS",
            // A wrong verifier does not consume the code.
            "failed-attempt FAIL",
            // No length check on the verifier (RFC 7636 §4.1: 43 to 128).
            "short-verifier FAIL",
            // No code without a challenge, for the confidential client too.
            "downgrade PASS",
            "replay PASS",
            // One token; some of the others get HTTP 500 (BEHAVIOUR.md).
            "concurrent-redemption PASS",
            "cross-flow PASS",
            // Neither advertised nor sent: info, which never fails a run.
            "iss FAIL",
        ],
        1,
    );
    assert!(
        probed
            .observed("downgrade")
            .contains("Code challenge required.")
    );
    assert!(probed.observed("short-verifier").contains("(1 character)"));
}

/// Every RFC 9700 gate of 3.4 on: plain (and so a missing method) refused
/// and left out of the metadata, RFC 9207 `iss` advertised.
#[test]
fn django_oauth_toolkit_strict() {
    let server = server_or_skip!(start("strict"));
    let probed = probe(&server.url, &[]);
    probed.assert(
        &[
            "metadata-s256 PASS",
            "missing-challenge PASS",
            "plain PASS",
            "method-case PASS",
            "malformed-challenge FAIL",
            "missing-method PASS",
            "missing-verifier PASS",
            "wrong-verifier PASS",
            "failed-attempt FAIL",
            "short-verifier FAIL",
            "downgrade PASS",
            "replay PASS",
            "concurrent-redemption PASS",
            "cross-flow PASS",
            // Sent on success, missing on error redirects.
            "iss FAIL",
        ],
        1,
    );
    assert_eq!(probed.observed("metadata-s256"), "lists S256");
    assert!(
        probed
            .observed("iss")
            .starts_with("success: iss equal to the issuer; error: no iss"),
        "{}",
        probed.observed("iss")
    );
}
