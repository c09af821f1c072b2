//! `--weaken RULE`: each deliberately broken server lets exactly its own
//! attack through, and refuses the others as the strict server does.

use oauth2::{CsrfToken, PkceCodeChallenge, PkceCodeVerifier};
use proofkey::Policy;

#[path = "support/http.rs"]
mod http;
use http::{SPA_REDIRECT, Server, redeem, start_with, verifier_copy};

use demo::Weakness;

/// The attacks a probe runs, one per rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attack {
    /// A confidential client's code issued without a challenge, redeemed with a verifier.
    Downgrade,
    /// A code bound to an S256 challenge, redeemed without a verifier.
    MissingVerifier,
    /// `code_challenge_method=plain`, then the plain verifier.
    Plain,
    /// The public client without a challenge, then no verifier.
    MissingChallenge,
    /// A successful redemption, then the same code again.
    Replay,
    /// A challenge V without `code_challenge_method`, then `code_verifier=V`.
    MissingMethod,
    /// A successful redemption, then the same code without a verifier.
    ReplayWithoutVerifier,
    /// A wrong verifier, then the right one, on one code.
    FailedAttempt,
    /// The S256 challenge of a 42-character verifier, then that verifier.
    ShortVerifier,
    /// Eight simultaneous redemptions of one code with the right verifier.
    ConcurrentRedemption,
}

const ATTACKS: [Attack; 10] = [
    Attack::Downgrade,
    Attack::MissingVerifier,
    Attack::Plain,
    Attack::MissingChallenge,
    Attack::Replay,
    Attack::MissingMethod,
    Attack::ReplayWithoutVerifier,
    Attack::FailedAttempt,
    Attack::ShortVerifier,
    Attack::ConcurrentRedemption,
];

fn rule_of(attack: Attack) -> Weakness {
    match attack {
        Attack::Downgrade => Weakness::Downgrade,
        Attack::MissingVerifier => Weakness::MissingVerifier,
        Attack::Plain => Weakness::Plain,
        Attack::MissingChallenge => Weakness::MissingChallenge,
        Attack::Replay => Weakness::Replay,
        Attack::MissingMethod => Weakness::MissingMethod,
        Attack::ReplayWithoutVerifier => Weakness::ReplayWithoutVerifier,
        Attack::FailedAttempt => Weakness::FailedAttempt,
        Attack::ShortVerifier => Weakness::ShortVerifier,
        Attack::ConcurrentRedemption => Weakness::ConcurrentRedemption,
    }
}

/// A code for `client`, or `None` if the authorization endpoint refused.
async fn try_code(
    server: &Server,
    client: &http::Client,
    challenge: Option<PkceCodeChallenge>,
    redirect_uri: &str,
) -> Option<String> {
    let mut request = client.authorize_url(CsrfToken::new_random);
    if let Some(challenge) = challenge {
        request = request.set_pkce_challenge(challenge);
    }
    let params = server.authorize(request.url().0, redirect_uri).await;
    params.get("code").cloned()
}

/// Whether the attack got an access token.
async fn succeeds(server: &Server, attack: Attack) -> bool {
    let spa = server.spa();
    match attack {
        Attack::Downgrade => {
            let backend = server.backend(demo::BACKEND_SECRET);
            let code = try_code(server, &backend, None, demo::BACKEND_REDIRECT_URI)
                .await
                .expect("a confidential client may skip PKCE under production");
            let (_, verifier) = PkceCodeChallenge::new_random_sha256();
            redeem(server, &backend, &code, Some(verifier))
                .await
                .is_ok()
        }
        Attack::MissingVerifier => {
            let (challenge, _) = PkceCodeChallenge::new_random_sha256();
            let code = try_code(server, &spa, Some(challenge), SPA_REDIRECT)
                .await
                .expect("an S256 code");
            redeem(server, &spa, &code, None).await.is_ok()
        }
        Attack::Plain => {
            let (challenge, verifier) = PkceCodeChallenge::new_random_plain();
            match try_code(server, &spa, Some(challenge), SPA_REDIRECT).await {
                None => false,
                Some(code) => redeem(server, &spa, &code, Some(verifier)).await.is_ok(),
            }
        }
        Attack::MissingChallenge => match try_code(server, &spa, None, SPA_REDIRECT).await {
            None => false,
            Some(code) => redeem(server, &spa, &code, None).await.is_ok(),
        },
        Attack::Replay => {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let code = try_code(server, &spa, Some(challenge), SPA_REDIRECT)
                .await
                .expect("an S256 code");
            let again: PkceCodeVerifier = verifier_copy(&verifier);
            redeem(server, &spa, &code, Some(verifier))
                .await
                .expect("the first redemption");
            redeem(server, &spa, &code, Some(again)).await.is_ok()
        }
        Attack::MissingMethod => {
            let (challenge, verifier) = PkceCodeChallenge::new_random_plain();
            let mut url = spa.authorize_url(CsrfToken::new_random).url().0;
            url.query_pairs_mut()
                .append_pair("code_challenge", challenge.as_str());
            match server.authorize(url, SPA_REDIRECT).await.get("code") {
                None => false,
                Some(code) => redeem(server, &spa, code, Some(verifier)).await.is_ok(),
            }
        }
        Attack::ReplayWithoutVerifier => {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let code = try_code(server, &spa, Some(challenge), SPA_REDIRECT)
                .await
                .expect("an S256 code");
            redeem(server, &spa, &code, Some(verifier))
                .await
                .expect("the first redemption");
            redeem(server, &spa, &code, None).await.is_ok()
        }
        Attack::FailedAttempt => {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let code = try_code(server, &spa, Some(challenge), SPA_REDIRECT)
                .await
                .expect("an S256 code");
            let (_, wrong) = PkceCodeChallenge::new_random_sha256();
            assert!(redeem(server, &spa, &code, Some(wrong)).await.is_err());
            redeem(server, &spa, &code, Some(verifier)).await.is_ok()
        }
        Attack::ShortVerifier => {
            use base64::Engine as _;
            use sha2::Digest as _;
            let short = "a".repeat(42);
            let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(short.as_bytes()));
            let mut url = spa.authorize_url(CsrfToken::new_random).url().0;
            url.query_pairs_mut()
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256");
            match server.authorize(url, SPA_REDIRECT).await.get("code") {
                None => false,
                Some(code) => redeem(server, &spa, code, Some(PkceCodeVerifier::new(short)))
                    .await
                    .is_ok(),
            }
        }
        Attack::ConcurrentRedemption => {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let code = try_code(server, &spa, Some(challenge), SPA_REDIRECT)
                .await
                .expect("an S256 code");
            let attempts =
                (0..8).map(|_| redeem(server, &spa, &code, Some(verifier_copy(&verifier))));
            let tokens = futures_util::future::join_all(attempts).await;
            tokens.iter().filter(|r| r.is_ok()).count() > 1
        }
    }
}

#[tokio::test]
async fn each_rule_lets_through_its_own_attack_and_no_other() {
    for weakness in std::iter::once(None).chain(Weakness::ALL.map(Some)) {
        let server = start_with(|base| demo::app_with(Policy::production(), base, weakness)).await;
        for attack in ATTACKS {
            // A code never consumed on success is also redeemed by every
            // simultaneous request: replay lets that attack through too.
            let expected = weakness == Some(rule_of(attack))
                || (attack == Attack::ConcurrentRedemption && weakness == Some(Weakness::Replay));
            assert_eq!(
                succeeds(&server, attack).await,
                expected,
                "{attack:?} under --weaken {weakness:?}"
            );
        }
    }
}

#[tokio::test]
async fn metadata_lists_plain_only_under_the_plain_rule_and_nothing_without_methods() {
    for weakness in std::iter::once(None).chain(Weakness::ALL.map(Some)) {
        let server = start_with(|base| demo::app_with(Policy::production(), base, weakness)).await;
        let response = server
            .http
            .get(format!(
                "{}/.well-known/oauth-authorization-server",
                server.base
            ))
            .send()
            .await
            .expect("GET metadata");
        let metadata: serde_json::Value =
            serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON");
        let expected = match weakness {
            Some(Weakness::Plain) => serde_json::json!(["S256", "plain"]),
            // Absent, not empty: as Entra ID and Cognito publish it.
            Some(Weakness::NoMethodsMetadata) => serde_json::Value::Null,
            _ => serde_json::json!(["S256"]),
        };
        assert_eq!(
            metadata.get("code_challenge_methods_supported").is_some(),
            !expected.is_null(),
            "{weakness:?}"
        );
        assert_eq!(
            metadata["code_challenge_methods_supported"], expected,
            "{weakness:?}"
        );
    }
}

/// The plain rule accepts an explicit `plain` only: a missing method is
/// still refused (production rejects it), so a probe's "missing method"
/// check keeps passing.
#[tokio::test]
async fn plain_rule_still_refuses_a_missing_method() {
    let server =
        start_with(|base| demo::app_with(Policy::production(), base, Some(Weakness::Plain))).await;
    let (challenge, _) = PkceCodeChallenge::new_random_plain();
    let mut url = server.spa().authorize_url(CsrfToken::new_random).url().0;
    url.query_pairs_mut()
        .append_pair("code_challenge", challenge.as_str());
    let params = server.authorize(url, SPA_REDIRECT).await;
    assert_eq!(params.get("code"), None);
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("invalid_request")
    );
}
