//! The demo authorization server on an ephemeral loopback port, driven over
//! HTTP by the `oauth2` crate's client (reqwest).

use std::borrow::Cow;
use std::time::Duration;

use oauth2::basic::BasicErrorResponseType;
use oauth2::reqwest::{StatusCode, header};
use oauth2::{AuthType, AuthorizationCode, CsrfToken, PkceCodeChallenge, RedirectUrl};
use proofkey::Policy;

#[path = "support/http.rs"]
mod http;
use http::{SPA_REDIRECT, assert_token, error_of, redeem, start, start_with, verifier_copy};

// -------------------------------------------------------------- full flows

#[tokio::test]
async fn public_client_pkce_flow_succeeds() {
    let server = start(Policy::production()).await;
    let spa = server.spa();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let code = server.code(&spa, Some(challenge), SPA_REDIRECT).await;
    let token = redeem(&server, &spa, &code, Some(verifier))
        .await
        .expect("token");
    assert_token(&token);
}

#[tokio::test]
async fn confidential_client_pkce_flow_succeeds_with_basic_and_post_auth() {
    let server = start(Policy::production()).await;
    for auth in [AuthType::BasicAuth, AuthType::RequestBody] {
        let backend = server
            .backend(demo::BACKEND_SECRET)
            .set_auth_type(auth.clone());
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let code = server
            .code(&backend, Some(challenge), demo::BACKEND_REDIRECT_URI)
            .await;
        let token = redeem(&server, &backend, &code, Some(verifier))
            .await
            .expect("token");
        assert_token(&token);
    }
}

#[tokio::test]
async fn confidential_client_may_skip_pkce_under_production_but_not_oauth21() {
    let server = start(Policy::production()).await;
    let backend = server.backend(demo::BACKEND_SECRET);
    let code = server
        .code(&backend, None, demo::BACKEND_REDIRECT_URI)
        .await;
    assert_token(&redeem(&server, &backend, &code, None).await.expect("token"));

    let server = start(Policy::oauth21()).await;
    let backend = server.backend(demo::BACKEND_SECRET);
    let (url, _) = backend.authorize_url(CsrfToken::new_random).url();
    let params = server.authorize(url, demo::BACKEND_REDIRECT_URI).await;
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("invalid_request")
    );
    assert_eq!(params.get("code"), None);
}

#[tokio::test]
async fn plain_flow_works_under_development_policy() {
    let server = start(Policy::development()).await;
    let spa = server.spa();
    let (challenge, verifier) = PkceCodeChallenge::new_random_plain();
    let code = server.code(&spa, Some(challenge), SPA_REDIRECT).await;
    assert_token(
        &redeem(&server, &spa, &code, Some(verifier))
            .await
            .expect("token"),
    );
}

// ------------------------------------------------------------------ attacks

#[tokio::test]
async fn intercepted_code_without_verifier_is_invalid_grant_and_consumed() {
    let server = start(Policy::production()).await;
    let spa = server.spa();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let code = server.code(&spa, Some(challenge), SPA_REDIRECT).await;

    // The attacker has the code (a malicious app on the redirect URI) but not the verifier.
    let stolen = redeem(&server, &spa, &code, None).await;
    assert_eq!(error_of(stolen), BasicErrorResponseType::InvalidGrant);

    // The failed attempt consumed the code: even the right verifier is now too late.
    let late = redeem(&server, &spa, &code, Some(verifier)).await;
    assert_eq!(error_of(late), BasicErrorResponseType::InvalidGrant);
}

#[tokio::test]
async fn wrong_verifier_consumes_the_code() {
    let server = start(Policy::production()).await;
    let spa = server.spa();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let code = server.code(&spa, Some(challenge), SPA_REDIRECT).await;

    let (_, guess) = PkceCodeChallenge::new_random_sha256();
    assert_eq!(
        error_of(redeem(&server, &spa, &code, Some(guess)).await),
        BasicErrorResponseType::InvalidGrant
    );
    assert_eq!(
        error_of(redeem(&server, &spa, &code, Some(verifier)).await),
        BasicErrorResponseType::InvalidGrant
    );
}

#[tokio::test]
async fn code_is_single_use_after_success() {
    let server = start(Policy::production()).await;
    let spa = server.spa();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let code = server.code(&spa, Some(challenge), SPA_REDIRECT).await;
    let again = verifier_copy(&verifier);
    redeem(&server, &spa, &code, Some(verifier))
        .await
        .expect("first redemption");
    assert_eq!(
        error_of(redeem(&server, &spa, &code, Some(again)).await),
        BasicErrorResponseType::InvalidGrant
    );
}

#[tokio::test]
async fn downgrade_verifier_for_code_without_challenge_is_invalid_grant() {
    let server = start(Policy::production()).await;
    let backend = server.backend(demo::BACKEND_SECRET);
    // RFC 9700 §4.8.2: the attacker's authorization request had no challenge;
    // the victim's client then redeems the injected code with its verifier.
    let code = server
        .code(&backend, None, demo::BACKEND_REDIRECT_URI)
        .await;
    let (_, verifier) = PkceCodeChallenge::new_random_sha256();
    let result = redeem(&server, &backend, &code, Some(verifier)).await;
    assert_eq!(error_of(result), BasicErrorResponseType::InvalidGrant);
    // and the code is gone
    assert_eq!(
        error_of(redeem(&server, &backend, &code, None).await),
        BasicErrorResponseType::InvalidGrant
    );
}

#[tokio::test]
async fn token_request_cannot_change_the_bound_method() {
    let server = start(Policy::development()).await;
    let spa = server.spa();
    let (challenge, _verifier) = PkceCodeChallenge::new_random_sha256();
    let sent = challenge.as_str().to_owned();
    let code = server.code(&spa, Some(challenge), SPA_REDIRECT).await;
    // Someone who saw the S256 challenge sends it as a "plain" verifier.
    let result = spa
        .exchange_code(AuthorizationCode::new(code))
        .add_extra_param("code_verifier", sent)
        .add_extra_param("code_challenge_method", "plain")
        .request_async(&server.http)
        .await;
    assert_eq!(error_of(result), BasicErrorResponseType::InvalidGrant);
}

#[tokio::test]
async fn public_client_without_challenge_is_redirected_with_invalid_request() {
    let server = start(Policy::production()).await;
    let (url, state) = server.spa().authorize_url(CsrfToken::new_random).url();
    let params = server.authorize(url, SPA_REDIRECT).await;
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("invalid_request")
    );
    assert_eq!(
        params.get("error_description").map(String::as_str),
        Some("code challenge required")
    );
    assert_eq!(params.get("state"), Some(state.secret()));
    assert_eq!(params.get("code"), None);
}

#[tokio::test]
async fn plain_is_rejected_under_production() {
    let server = start(Policy::production()).await;
    let (challenge, _) = PkceCodeChallenge::new_random_plain();
    let (url, state) = server
        .spa()
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let params = server.authorize(url, SPA_REDIRECT).await;
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("invalid_request")
    );
    assert_eq!(
        params.get("error_description").map(String::as_str),
        Some(proofkey::AuthorizeError::MethodNotAllowed.description())
    );
    assert_eq!(params.get("state"), Some(state.secret()));
    assert_eq!(params.get("code"), None);
}

#[tokio::test]
async fn expired_code_is_invalid_grant() {
    let server = start_with(|base| {
        demo::AuthServer::new(Policy::production(), base)
            .code_lifetime(Duration::from_millis(50))
            .router()
    })
    .await;
    let spa = server.spa();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let code = server.code(&spa, Some(challenge), SPA_REDIRECT).await;
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(
        error_of(redeem(&server, &spa, &code, Some(verifier)).await),
        BasicErrorResponseType::InvalidGrant
    );
}

#[tokio::test]
async fn code_of_one_client_cannot_be_redeemed_by_another() {
    let server = start(Policy::production()).await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let code = server
        .code(&server.spa(), Some(challenge), SPA_REDIRECT)
        .await;
    let backend = server.backend(demo::BACKEND_SECRET);
    let result = backend
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .set_redirect_uri(Cow::Owned(
            RedirectUrl::new(SPA_REDIRECT.to_owned()).expect("url"),
        ))
        .request_async(&server.http)
        .await;
    assert_eq!(error_of(result), BasicErrorResponseType::InvalidGrant);
}

#[tokio::test]
async fn redirect_uri_must_match_the_authorization_request() {
    let server = start(Policy::production()).await;
    let spa = server.spa();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let code = server.code(&spa, Some(challenge), SPA_REDIRECT).await;
    let other = RedirectUrl::new("http://127.0.0.1:9999/callback".to_owned()).expect("url");
    let result = spa
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .set_redirect_uri(Cow::Owned(other))
        .request_async(&server.http)
        .await;
    assert_eq!(error_of(result), BasicErrorResponseType::InvalidGrant);
}

#[tokio::test]
async fn confidential_client_with_wrong_secret_is_invalid_client_401() {
    let server = start(Policy::production()).await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let code = server
        .code(
            &server.backend(demo::BACKEND_SECRET),
            Some(challenge),
            demo::BACKEND_REDIRECT_URI,
        )
        .await;
    let keep = verifier_copy(&verifier);
    let result = redeem(&server, &server.backend("guessed"), &code, Some(verifier)).await;
    assert_eq!(error_of(result), BasicErrorResponseType::InvalidClient);
    // Failed client authentication does not touch the code.
    let good = server.backend(demo::BACKEND_SECRET);
    assert_token(
        &redeem(&server, &good, &code, Some(keep))
            .await
            .expect("token"),
    );

    // The status and challenge of the same failure, seen raw.
    let response = server
        .http
        .post(format!("{}/token", server.base))
        .basic_auth(demo::BACKEND_CLIENT_ID, Some("guessed"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("grant_type=authorization_code&code=x&redirect_uri=https%3A%2F%2Fbackend.example.com%2Fcallback")
        .send()
        .await
        .expect("POST /token");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
}

// ---------------------------------------------------- not a redirect: 400

#[tokio::test]
async fn unknown_client_or_redirect_uri_gets_a_400_page_not_a_redirect() {
    let server = start(Policy::production()).await;
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let good = server
        .spa()
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url()
        .0;

    let with = |name: &str, value: Option<&str>| {
        let mut url = good.clone();
        let pairs: Vec<(String, String)> = good
            .query_pairs()
            .filter(|(n, _)| n != name)
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect();
        let mut query = url.query_pairs_mut();
        query.clear().extend_pairs(pairs);
        if let Some(value) = value {
            query.append_pair(name, value);
        }
        drop(query);
        url
    };
    let cases = [
        with("client_id", Some("mallory")),
        with("client_id", None),
        with("redirect_uri", Some("https://attacker.example/callback")),
        with("redirect_uri", Some("http://localhost:53682/callback")),
        with(
            "redirect_uri",
            Some("http://127.0.0.1:53682/callback?next=evil"),
        ),
        with("redirect_uri", Some(demo::BACKEND_REDIRECT_URI)), // another client's
        with("redirect_uri", None),
    ];
    for url in cases {
        let response = server
            .http
            .get(url.clone())
            .send()
            .await
            .expect("GET /authorize");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{url}");
        assert!(response.headers().get(header::LOCATION).is_none(), "{url}");
    }
    // the unmodified request is a redirect (the cases above changed one thing)
    let response = server.http.get(good).send().await.expect("GET /authorize");
    assert_eq!(response.status(), StatusCode::FOUND);
}

// ----------------------------------------------------------- raw HTTP details

#[tokio::test]
async fn token_responses_are_not_cached() {
    let server = start(Policy::production()).await;
    let spa = server.spa();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let code = server.code(&spa, Some(challenge), SPA_REDIRECT).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", SPA_REDIRECT),
        ("client_id", demo::SPA_CLIENT_ID),
        ("code_verifier", verifier.secret().as_str()),
    ];
    let body = oauth2::url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    for expected in [StatusCode::OK, StatusCode::BAD_REQUEST] {
        let response = server
            .http
            .post(format!("{}/token", server.base))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .expect("POST /token");
        assert_eq!(response.status(), expected);
        assert_eq!(
            response
                .headers()
                .get(header::CACHE_CONTROL)
                .map(|v| v.as_bytes()),
            Some(&b"no-store"[..])
        );
        let json: serde_json::Value =
            serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON");
        if expected == StatusCode::OK {
            assert_eq!(json["token_type"], "Bearer");
            assert_eq!(json["expires_in"], demo::ACCESS_TOKEN_LIFETIME_SECS);
        } else {
            // the second redemption of the same code
            assert_eq!(json["error"], "invalid_grant");
        }
    }
}

#[tokio::test]
async fn metadata_lists_the_policy_methods() {
    for (policy, methods) in [
        (Policy::production(), vec!["S256"]),
        (Policy::development(), vec!["S256", "plain"]),
        (Policy::oauth21(), vec!["S256"]),
        (Policy::fapi2(), vec!["S256"]),
    ] {
        let server = start(policy).await;
        let url = format!("{}/.well-known/oauth-authorization-server", server.base);
        let response = server.http.get(url).send().await.expect("GET metadata");
        assert_eq!(response.status(), StatusCode::OK);
        let json: serde_json::Value =
            serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON");
        assert_eq!(json["issuer"], server.base);
        assert_eq!(
            json["authorization_endpoint"],
            format!("{}/authorize", server.base)
        );
        assert_eq!(json["token_endpoint"], format!("{}/token", server.base));
        assert_eq!(
            json["response_types_supported"],
            serde_json::json!(["code"])
        );
        assert_eq!(
            json["grant_types_supported"],
            serde_json::json!(["authorization_code"])
        );
        assert_eq!(
            json["code_challenge_methods_supported"],
            serde_json::json!(methods)
        );
    }
}
