//! Codes are limited per client: a flood of authorization requests for one
//! client fills that client's quota, not the server, and every other
//! client still gets codes (the measured attack: ~10,000 unauthenticated
//! requests in 13 s used to fill one global cap and lock out every client
//! for the 10-minute code lifetime).

use std::time::Duration;

use oauth2::PkceCodeChallenge;
use oauth2::reqwest::StatusCode;
use proofkey::Policy;

#[path = "support/http.rs"]
mod http;
#[path = "support/raw.rs"]
mod raw;
use http::{SPA_REDIRECT, Server, redeem, start_with};
use raw::{get_authorize, query, query_with, raw_param, spa_query};

const QUOTA: usize = 100;
const FLOOD: usize = 150;

/// What one authorization request got: a code or an `error`.
async fn outcome(server: &Server, query: &str) -> Result<String, String> {
    let (status, location) = get_authorize(server, query).await;
    assert_eq!(status, StatusCode::FOUND);
    let location = location.expect("Location");
    match (raw_param(&location, "code"), raw_param(&location, "error")) {
        (Some(code), None) => Ok(code.to_owned()),
        (None, Some(error)) => Err(error.to_owned()),
        _ => panic!("{location}"),
    }
}

#[tokio::test]
async fn a_flood_on_one_client_leaves_the_others_their_codes() {
    let log = demo::LogCapture::new();
    let server = start_with(|base| {
        demo::AuthServer::new(Policy::production(), base)
            .codes_per_client(QUOTA)
            .log_to(log.clone())
            .router()
    })
    .await;

    // The flood: unauthenticated requests for the public client, each with
    // a fresh challenge (the reuse guard refuses repeats anyway).
    let mut codes = Vec::new();
    let mut refused = 0;
    for _ in 0..FLOOD {
        match outcome(&server, &spa_query("state=flood")).await {
            Ok(code) => codes.push(code),
            Err(error) => {
                assert_eq!(error, "temporarily_unavailable");
                refused += 1;
            }
        }
    }
    assert_eq!((codes.len(), refused), (QUOTA, FLOOD - QUOTA));

    // The confidential client is not locked out, with or without PKCE.
    let backend = query(demo::BACKEND_CLIENT_ID, demo::BACKEND_REDIRECT_URI, "");
    assert!(outcome(&server, &backend).await.is_ok());
    let without_pkce = format!(
        "response_type=code&client_id=backend&redirect_uri={}",
        oauth2::url::form_urlencoded::byte_serialize(demo::BACKEND_REDIRECT_URI.as_bytes())
            .collect::<String>()
    );
    assert!(outcome(&server, &without_pkce).await.is_ok());

    // The flooded client gets a slot back when one of its codes is consumed
    // (here by a failed redemption: no verifier).
    assert!(
        redeem(&server, &server.spa(), &codes[0], None)
            .await
            .is_err()
    );
    assert!(outcome(&server, &spa_query("")).await.is_ok());
    assert_eq!(
        outcome(&server, &spa_query("")).await,
        Err("temporarily_unavailable".to_owned())
    );

    let lines = log.lines();
    let quota_lines = lines
        .iter()
        .filter(|l| {
            *l == "authorize client=spa: temporarily_unavailable \
                   (too many pending authorization codes for this client)"
        })
        .count();
    assert_eq!(quota_lines, FLOOD - QUOTA + 1);
}

#[tokio::test]
async fn expired_codes_do_not_count() {
    let server = start_with(|base| {
        demo::AuthServer::new(Policy::production(), base)
            .codes_per_client(2)
            .code_lifetime(Duration::from_millis(200))
            .router()
    })
    .await;
    assert!(outcome(&server, &spa_query("")).await.is_ok());
    assert!(outcome(&server, &spa_query("")).await.is_ok());
    assert_eq!(
        outcome(&server, &spa_query("")).await,
        Err("temporarily_unavailable".to_owned())
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(outcome(&server, &spa_query("")).await.is_ok());
}

#[tokio::test]
async fn a_quota_of_zero_refuses_every_code_but_still_redirects_with_state() {
    let server = start_with(|base| {
        demo::AuthServer::new(Policy::production(), base)
            .codes_per_client(0)
            .router()
    })
    .await;
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = server
        .spa()
        .authorize_url(oauth2::CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let params = server.authorize(url, SPA_REDIRECT).await;
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("temporarily_unavailable")
    );
    assert_eq!(params.get("state"), Some(state.secret()));
}

/// Issue 18's measurement: the reuse guard used to record a challenge
/// before the quota check, so 12,000 quota-refused requests flushed it and
/// a client's repeated challenge was accepted again. The quota now comes
/// first: refused requests record nothing.
#[tokio::test]
async fn a_flood_of_quota_refused_requests_does_not_flush_the_challenge_log() {
    const QUOTA: usize = 4;
    const REFUSED: usize = 12_000;
    let log = demo::LogCapture::new();
    let server = start_with(|base| {
        demo::AuthServer::new(Policy::production(), base)
            .codes_per_client(QUOTA)
            .log_to(log.clone())
            .router()
    })
    .await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let victim = query_with(demo::SPA_CLIENT_ID, SPA_REDIRECT, &challenge, "");
    let first = outcome(&server, &victim).await.expect("the victim's code");
    for _ in 1..QUOTA {
        assert!(outcome(&server, &spa_query("")).await.is_ok());
    }
    for _ in 0..REFUSED {
        assert_eq!(
            outcome(&server, &spa_query("")).await,
            Err("temporarily_unavailable".to_owned())
        );
    }
    // A slot is free again: the repeated challenge is still refused.
    assert!(
        redeem(&server, &server.spa(), &first, Some(verifier))
            .await
            .is_ok()
    );
    assert_eq!(
        outcome(&server, &victim).await,
        Err("invalid_request".to_owned())
    );
    // And the slot was for a fresh challenge all along.
    assert!(outcome(&server, &spa_query("")).await.is_ok());
    let reused = "authorize client=spa: invalid_request (code_challenge was used before: use a fresh code_verifier for every authorization request)";
    assert_eq!(
        log.lines().iter().filter(|l| *l == reused).count(),
        1,
        "{:?}",
        log.lines().last()
    );
}
