//! `pkce probe` against @node-oauth/oauth2-server 5.3.0 with express 4.22
//! (pinned in tests/fixtures/node-oauth2-server/package-lock.json),
//! installed with npm under the target directory and started on 127.0.0.1
//! (server.mjs: the library's authorize and token handlers over a small
//! in-memory model, a logged-in user who approves at once). It serves no
//! metadata: the endpoints are named with --authorization-endpoint and
//! --token-endpoint. What it really does, checked with curl, is in
//! tests/fixtures/node-oauth2-server/BEHAVIOUR.md; each table below is
//! that, rule by rule.

mod support;

use std::process::Command;

use support::fixture::{self, Server};
use support::probed::{Probed, probe};

fn start(config: &str) -> Result<Server, String> {
    let dir = fixture::npm("node-oauth2-server")?;
    let mut node = Command::new("node");
    node.args(["server.mjs", config]).current_dir(dir);
    Ok(Server::start(node))
}

fn probe_endpoints(server: &Server) -> Probed {
    let authorize = format!("{}/authorize", server.url);
    let token = format!("{}/token", server.url);
    probe(
        &server.url,
        &[
            "--authorization-endpoint",
            &authorize,
            "--token-endpoint",
            &token,
        ],
    )
}

/// The library as shipped, which is also its strictest: it has no option
/// that requires PKCE, plain is off, and the token endpoint skips client
/// authentication only when a code_verifier is sent. So a public client's
/// request without a verifier is refused as invalid_client: a refusal for
/// another reason than PKCE, which the probe must not count as a PASS
/// (issue 17: missing-verifier passed here before).
#[test]
fn node_oauth2_server_default() {
    let server = server_or_skip!(start("default"));
    let probed = probe_endpoints(&server);
    probed.assert(
        &[
            "metadata-s256 SKIPPED",
            // A code without a challenge (then invalid_client without a verifier).
            "missing-challenge FAIL",
            "plain PASS",
            "method-case PASS",
            "malformed-challenge FAIL",
            // No method is taken as S256, not plain.
            "missing-method PASS",
            // invalid_client, and the code stays redeemable.
            "missing-verifier INCONCLUSIVE",
            "wrong-verifier PASS",
            // The code is revoked before the PKCE check.
            "failed-attempt PASS",
            "short-verifier PASS",
            "downgrade PASS",
            // Without a verifier: invalid_client again.
            "replay INCONCLUSIVE",
            "concurrent-redemption PASS",
            "cross-flow PASS",
            "iss FAIL",
        ],
        1,
    );
    assert!(
        probed
            .observed("missing-verifier")
            .starts_with("token endpoint refused: HTTP 400 invalid_client"),
        "{}",
        probed.observed("missing-verifier")
    );
    assert!(
        probed
            .observed("missing-verifier")
            .ends_with("the right code_verifier then got a token for the same code (the refusal did not consume it)")
    );
}

/// requireClientAuthentication { authorization_code: false }, the option
/// its documentation gives for public clients: now a code issued without a
/// challenge is redeemed without any verifier.
#[test]
fn node_oauth2_server_public_clients() {
    let server = server_or_skip!(start("public"));
    let probed = probe_endpoints(&server);
    probed.assert(
        &[
            "metadata-s256 SKIPPED",
            "missing-challenge FAIL",
            "plain PASS",
            "method-case PASS",
            "malformed-challenge FAIL",
            "missing-method PASS",
            "missing-verifier PASS",
            "wrong-verifier PASS",
            "failed-attempt PASS",
            "short-verifier PASS",
            "downgrade PASS",
            "replay PASS",
            "concurrent-redemption PASS",
            "cross-flow PASS",
            "iss FAIL",
        ],
        1,
    );
    assert!(
        probed.observed("missing-challenge").ends_with(
            "the token endpoint then issued an access token for it without code_verifier"
        )
    );
}

/// enablePlainPKCE: plain allowed, and a missing method then means plain.
#[test]
fn node_oauth2_server_plain_enabled() {
    let server = server_or_skip!(start("plain"));
    let probed = probe_endpoints(&server);
    probed.assert(
        &[
            "metadata-s256 SKIPPED",
            "missing-challenge FAIL",
            "plain FAIL",
            "method-case PASS",
            "malformed-challenge FAIL",
            "missing-method FAIL",
            "missing-verifier INCONCLUSIVE",
            "wrong-verifier PASS",
            "failed-attempt PASS",
            "short-verifier PASS",
            "downgrade PASS",
            "replay INCONCLUSIVE",
            "concurrent-redemption PASS",
            "cross-flow PASS",
            "iss FAIL",
        ],
        1,
    );
}
