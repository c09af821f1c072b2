//! The presets named after the specifications, and the refusal of a
//! client's repeated challenge (RFC 9700 §2.1.1), over HTTP.

use oauth2::{CsrfToken, PkceCodeChallenge};
use proofkey::{AuthorizeError, Policy};

#[path = "support/http.rs"]
mod http;
use http::{SPA_REDIRECT, Server, assert_token, redeem, start, verifier_copy};

/// OAuth 2.1 reads a missing `code_challenge_method` as S256; FAPI 2.0
/// requires it to be named.
#[tokio::test]
async fn a_missing_method_is_s256_under_oauth21_and_refused_under_fapi2() {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let sent = challenge.as_str().to_owned();
    let without_method = |server: &Server| {
        let mut url = server
            .backend(demo::BACKEND_SECRET)
            .authorize_url(CsrfToken::new_random)
            .url()
            .0;
        url.query_pairs_mut().append_pair("code_challenge", &sent);
        url
    };

    let server = start(Policy::oauth21()).await;
    let params = server
        .authorize(without_method(&server), demo::BACKEND_REDIRECT_URI)
        .await;
    let code = params.get("code").expect("a code under oauth21");
    let backend = server.backend(demo::BACKEND_SECRET);
    assert_token(
        &redeem(&server, &backend, code, Some(verifier))
            .await
            .expect("token"),
    );

    let server = start(Policy::fapi2()).await;
    let params = server
        .authorize(without_method(&server), demo::BACKEND_REDIRECT_URI)
        .await;
    assert_eq!(params.get("code"), None);
    assert_eq!(
        params.get("error_description").map(String::as_str),
        Some(proofkey::AuthorizeError::MethodRequired.description())
    );
}

/// RFC 9700 §2.1.1: a constant challenge is refused at `/authorize` for the
/// client that sent it before; another client may send the same value.
#[tokio::test]
async fn the_same_challenge_twice_from_one_client_is_refused() {
    let server = start(Policy::production()).await;
    let spa = server.spa();
    let (_, verifier) = PkceCodeChallenge::new_random_sha256();
    let same = || PkceCodeChallenge::from_code_verifier_sha256(&verifier);
    let first = server.code(&spa, Some(same()), SPA_REDIRECT).await;

    let (url, state) = spa
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(same())
        .url();
    let params = server.authorize(url, SPA_REDIRECT).await;
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("invalid_request")
    );
    assert_eq!(
        params.get("error_description").map(String::as_str),
        Some(AuthorizeError::ChallengeReused.description())
    );
    assert_eq!(params.get("state"), Some(state.secret()));
    assert_eq!(params.get("code"), None);

    // Another client with the same challenge gets a code, and redeems it.
    let backend = server.backend(demo::BACKEND_SECRET);
    let other = server
        .code(&backend, Some(same()), demo::BACKEND_REDIRECT_URI)
        .await;
    assert_token(
        &redeem(&server, &backend, &other, Some(verifier_copy(&verifier)))
            .await
            .expect("token"),
    );
    // The refusal left the first code alone.
    assert_token(
        &redeem(&server, &spa, &first, Some(verifier))
            .await
            .expect("token"),
    );
    // A fresh challenge from the same client is fine.
    let (fresh, _) = PkceCodeChallenge::new_random_sha256();
    server.code(&spa, Some(fresh), SPA_REDIRECT).await;
}

/// The same verifier sent as plain, then as S256, is the same secret.
#[tokio::test]
async fn the_same_verifier_under_another_method_is_refused() {
    let server = start(Policy::development()).await;
    let spa = server.spa();
    let (_, verifier) = PkceCodeChallenge::new_random_sha256();
    let plain = PkceCodeChallenge::from_code_verifier_plain(&verifier);
    server.code(&spa, Some(plain), SPA_REDIRECT).await;
    let (url, _) = spa
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(PkceCodeChallenge::from_code_verifier_sha256(&verifier))
        .url();
    let params = server.authorize(url, SPA_REDIRECT).await;
    assert_eq!(
        params.get("error_description").map(String::as_str),
        Some(AuthorizeError::ChallengeReused.description())
    );
}
