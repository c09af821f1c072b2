//! One log line per decision, of every kind, and never a secret in it.

use std::time::Duration;

use oauth2::{
    AuthorizationCode, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    TokenResponse,
};
use proofkey::Policy;

#[path = "support/http.rs"]
mod http;
#[path = "support/raw.rs"]
mod raw;
use http::{SPA_REDIRECT, Server, redeem, start_with, verifier_copy};
use raw::{get_authorize, query, spa_query};

fn server_logging_to(
    log: &demo::LogCapture,
    settings: fn(demo::AuthServer) -> demo::AuthServer,
) -> impl FnOnce(&str) -> axum::Router {
    let log = log.clone();
    move |base| settings(demo::AuthServer::new(Policy::production(), base).log_to(log)).router()
}

/// The lines the log test expects, each at least once.
const KINDS: &[&str] = &[
    "authorize client=spa: code issued (PKCE: S256)",
    "authorize client=backend: code issued (PKCE: none)",
    "authorize client=spa: invalid_request (code challenge required)",
    "authorize client=-: 400 page (unknown client_id)",
    "authorize client=spa: 400 page (the redirect_uri is not registered for this client)",
    "authorize client=spa: temporarily_unavailable (too many pending authorization codes for this client)",
    "token client=backend: invalid_client (wrong client secret)",
    "token client=-: invalid_client (unknown client_id)",
    "token client=spa: invalid_grant (unknown, expired or used code)",
    "token client=spa: invalid_grant (redirect_uri does not match the authorization request)",
    "token client=spa: invalid_grant (code_verifier does not match the code_challenge)",
    "token client=spa: access token issued",
];

#[tokio::test]
async fn every_decision_is_one_line_and_no_line_holds_a_secret() {
    let log = demo::LogCapture::new();
    let main = start_with(server_logging_to(&log, |s| s)).await;
    let tight = start_with(server_logging_to(&log, |s| s.codes_per_client(0))).await;
    let expiring = start_with(server_logging_to(&log, |s| {
        s.code_lifetime(Duration::from_millis(50))
    }))
    .await;
    let mut secrets: Vec<String> = vec![
        demo::BACKEND_SECRET.to_owned(),
        "wrong-secret-1234".to_owned(),
    ];
    let mut decisions = 0;

    // A full flow, then the same code again.
    let spa = main.spa();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    secrets.extend([challenge.as_str().to_owned(), verifier.secret().clone()]);
    let code = main.code(&spa, Some(challenge), SPA_REDIRECT).await;
    let again = verifier_copy(&verifier);
    let token = redeem(&main, &spa, &code, Some(verifier))
        .await
        .expect("token");
    secrets.extend([code.clone(), token.access_token().secret().clone()]);
    assert!(redeem(&main, &spa, &code, Some(again)).await.is_err());
    decisions += 3;

    // A wrong verifier: the refusal, and the operator's hint before it.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let code = main.code(&spa, Some(challenge), SPA_REDIRECT).await;
    let (_, wrong) = PkceCodeChallenge::new_random_sha256();
    secrets.extend([
        code.clone(),
        verifier.secret().clone(),
        wrong.secret().clone(),
    ]);
    assert!(redeem(&main, &spa, &code, Some(wrong)).await.is_err());
    decisions += 2 + 1;

    // Another redirect_uri at the token endpoint (another loopback port).
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let code = main.code(&spa, Some(challenge), SPA_REDIRECT).await;
    secrets.push(code.clone());
    let elsewhere = spa.clone().set_redirect_uri(
        RedirectUrl::new("http://127.0.0.1:53683/callback".to_owned()).expect("url"),
    );
    assert!(
        redeem(&main, &elsewhere, &code, Some(verifier))
            .await
            .is_err()
    );
    decisions += 2;

    // The confidential client without PKCE, then a wrong secret.
    let backend = main.backend(demo::BACKEND_SECRET);
    let code = main.code(&backend, None, demo::BACKEND_REDIRECT_URI).await;
    secrets.push(code.clone());
    let wrong = main.backend("wrong-secret-1234");
    assert!(redeem(&main, &wrong, &code, None).await.is_err());
    decisions += 2;

    // An unknown client at the token endpoint.
    let stranger = oauth2::basic::BasicClient::new(ClientId::new("stranger".to_owned()))
        .set_token_uri(oauth2::TokenUrl::new(format!("{}/token", main.base)).expect("url"));
    let request = stranger.exchange_code(AuthorizationCode::new("x".repeat(43)));
    assert!(request.request_async(&main.http).await.is_err());
    decisions += 1;

    // Refusals at the authorization endpoint: by redirect, and 400 pages.
    let state = CsrfToken::new_random().secret().clone();
    secrets.push(state.clone());
    let no_challenge = format!(
        "response_type=code&client_id=spa&redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2Fcallback&state={state}"
    );
    get_authorize(&main, &no_challenge).await;
    get_authorize(&main, &query("stranger", SPA_REDIRECT, "")).await;
    get_authorize(&main, &query("spa", "https://attacker.example/cb", "")).await;
    decisions += 3;

    // The quota, on another server.
    get_authorize(&tight, &spa_query("")).await;
    decisions += 1;

    // An expired code, on another server: the store never returns it, so
    // it is logged as an unknown one.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let code = expiring
        .code(&expiring.spa(), Some(challenge), SPA_REDIRECT)
        .await;
    secrets.push(code.clone());
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert!(
        redeem(&expiring, &expiring.spa(), &code, Some(verifier))
            .await
            .is_err()
    );
    decisions += 2;

    let lines = log.lines();
    for kind in KINDS {
        assert!(
            lines.iter().any(|l| l == kind),
            "no line {kind:?} in {lines:#?}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("token client=spa: PKCE hint: ")),
        "{lines:#?}"
    );
    assert_eq!(lines.len(), decisions, "{lines:#?}");
    for line in &lines {
        assert!(
            line.starts_with("authorize client=") || line.starts_with("token client="),
            "{line}"
        );
        for secret in &secrets {
            assert!(!line.contains(secret.as_str()), "a secret in {line:?}");
        }
    }
}

/// A weakened decision says so in its line.
#[tokio::test]
async fn a_weakened_decision_is_marked() {
    let log = demo::LogCapture::new();
    let server: Server = start_with(|base| {
        demo::AuthServer::new(Policy::production(), base)
            .weaken(Some(demo::Weakness::MissingVerifier))
            .log_to(log.clone())
            .router()
    })
    .await;
    let spa = server.spa();
    let (challenge, _verifier): (_, PkceCodeVerifier) = PkceCodeChallenge::new_random_sha256();
    let code = server.code(&spa, Some(challenge), SPA_REDIRECT).await;
    redeem(&server, &spa, &code, None).await.expect("weakened");
    assert_eq!(
        log.lines(),
        [
            "authorize client=spa: code issued (PKCE: S256)",
            "token client=spa: access token issued WEAKENED by --weaken missing-verifier",
        ]
    );
}
