//! `pkce probe` against Authlib 1.9.10 with Flask 3.1 (pinned in
//! tests/fixtures/python/requirements.txt), installed from PyPI into a
//! virtual environment under the target directory and started on
//! 127.0.0.1 (tests/fixtures/authlib/server.py: the authorization code
//! grant with `CodeChallenge(required=True)`, a logged-in user who approves
//! at once, codes in memory). What it really does, checked with curl, is
//! in tests/fixtures/authlib/BEHAVIOUR.md; each table below is that, rule
//! by rule.

mod support;

use std::process::Command;

use support::fixture::{self, Server};
use support::probed::probe;

fn start(config: &str) -> Result<Server, String> {
    let python = fixture::python()?;
    let mut serve = Command::new(python);
    serve
        .arg(fixture::source("authlib").join("server.py"))
        .arg(config);
    Ok(Server::start(serve))
}

/// The strictest Authlib allows: only S256 supported, metadata listing only
/// S256. A public client still gets a code without any challenge (Authlib
/// checks only that the token request then carries a verifier).
#[test]
fn authlib_s256_only() {
    let server = server_or_skip!(start("s256"));
    let probed = probe(&server.url, &[]);
    probed.assert(
        &[
            "metadata-s256 PASS",
            "missing-challenge FAIL",
            "plain PASS",
            "method-case PASS",
            // The hex digest gets a code; padded and 42 characters do not.
            "malformed-challenge FAIL",
            "missing-verifier PASS",
            "wrong-verifier PASS",
            "downgrade PASS",
            "replay PASS",
            "cross-flow PASS",
        ],
        1,
    );
    assert!(
        probed
            .observed("missing-challenge")
            .ends_with("refused it: HTTP 400 invalid_request (Missing 'code_verifier')")
    );
    assert_eq!(
        probed.observed("malformed-challenge"),
        "authorization endpoint issued codes for malformed S256 challenges, which no verifier can redeem: hex digest (64 characters)"
    );
}
