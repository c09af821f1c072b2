//! The demo as an MCP-style resource server over real HTTP: the 401 with
//! its RFC 9728 pointer, the protected-resource metadata, and `resource`
//! (RFC 8707) bound to the code and to the access token's audience.

use oauth2::reqwest::{StatusCode, header};
use oauth2::{AuthorizationCode, CsrfToken, PkceCodeChallenge, TokenResponse};
use proofkey::Policy;
use serde_json::{Value, json};

#[path = "support/http.rs"]
mod http;
use http::{SPA_REDIRECT, Server, start, start_with};

/// A code for the public client with `resource` (if any) in the
/// authorization request, and its verifier.
async fn code_for(server: &Server, resource: Option<&str>) -> (String, oauth2::PkceCodeVerifier) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let client = server.spa();
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge);
    if let Some(resource) = resource {
        request = request.add_extra_param("resource", resource);
    }
    let params = server.authorize(request.url().0, SPA_REDIRECT).await;
    assert_eq!(params.get("error"), None, "{params:?}");
    (params["code"].clone(), verifier)
}

/// Redeems `code` with `resource` (if any) in the token request.
async fn token_for(
    server: &Server,
    code: &str,
    verifier: oauth2::PkceCodeVerifier,
    resource: Option<&str>,
) -> http::TokenResult {
    let client = server.spa();
    let mut request = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(verifier);
    if let Some(resource) = resource {
        request = request.add_extra_param("resource", resource);
    }
    request.request_async(&server.http).await
}

/// GET /mcp with `token` as a bearer token (if any): status, the
/// `WWW-Authenticate` header, the JSON body.
async fn mcp(server: &Server, token: Option<&str>) -> (StatusCode, Option<String>, Value) {
    let mut request = server.http.get(format!("{}/mcp", server.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("GET /mcp");
    let status = response.status();
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().expect("ASCII").to_owned());
    let body = serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON");
    (status, challenge, body)
}

fn metadata_url(server: &Server) -> String {
    format!("{}/.well-known/oauth-protected-resource/mcp", server.base)
}

#[tokio::test]
async fn mcp_without_a_token_points_to_its_metadata_which_names_this_server() {
    let server = start(Policy::production()).await;
    let (status, challenge, _) = mcp(&server, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge,
        Some(format!(
            "Bearer resource_metadata=\"{}\"",
            metadata_url(&server)
        ))
    );
    let response = server
        .http
        .get(metadata_url(&server))
        .send()
        .await
        .expect("GET metadata");
    assert_eq!(response.status(), StatusCode::OK);
    let metadata: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    // RFC 9728 §3.3: `resource` is the identifier the URL was built from.
    assert_eq!(metadata["resource"], json!(format!("{}/mcp", server.base)));
    assert_eq!(metadata["authorization_servers"], json!([server.base]));
    // The path-less well-known URL is not this resource's (RFC 9728 §3.1).
    let root = server
        .http
        .get(format!(
            "{}/.well-known/oauth-protected-resource",
            server.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(root.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_token_for_mcp_opens_mcp_with_get_and_post() {
    let server = start(Policy::production()).await;
    let resource = format!("{}/mcp", server.base);
    let (code, verifier) = code_for(&server, Some(&resource)).await;
    let token = token_for(&server, &code, verifier, Some(&resource))
        .await
        .expect("token");
    let token = token.access_token().secret();
    let (status, challenge, body) = mcp(&server, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{challenge:?}");
    assert_eq!(body, json!({ "resource": resource, "client_id": "spa" }));
    let post = server
        .http
        .post(&resource)
        .bearer_auth(token)
        .header(header::CONTENT_TYPE, "application/json")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), StatusCode::OK);
}

/// The `error_description` and the metadata pointer of an invalid_token 401.
fn assert_invalid_token(server: &Server, reply: (StatusCode, Option<String>, Value), why: &str) {
    assert_eq!(reply.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.1,
        Some(format!(
            "Bearer error=\"invalid_token\", error_description=\"{why}\", resource_metadata=\"{}\"",
            metadata_url(server)
        ))
    );
}

#[tokio::test]
async fn mcp_refuses_tokens_for_another_resource_for_none_and_unknown_ones() {
    let server = start(Policy::production()).await;
    // A token for another resource: issued (this server serves several),
    // refused at /mcp.
    let other = "https://other.example/mcp";
    let (code, verifier) = code_for(&server, Some(other)).await;
    let token = token_for(&server, &code, verifier, Some(other))
        .await
        .expect("a token for the other resource");
    assert_invalid_token(
        &server,
        mcp(&server, Some(token.access_token().secret())).await,
        "the access token was issued for another resource",
    );
    // One whose resource differs only in a trailing slash: not the same.
    let slash = format!("{}/mcp/", server.base);
    let (code, verifier) = code_for(&server, Some(&slash)).await;
    let token = token_for(&server, &code, verifier, Some(&slash))
        .await
        .unwrap();
    assert_invalid_token(
        &server,
        mcp(&server, Some(token.access_token().secret())).await,
        "the access token was issued for another resource",
    );
    // A token without any resource.
    let (code, verifier) = code_for(&server, None).await;
    let token = token_for(&server, &code, verifier, None).await.unwrap();
    assert_invalid_token(
        &server,
        mcp(&server, Some(token.access_token().secret())).await,
        "the access token names no resource (RFC 8707)",
    );
    assert_invalid_token(
        &server,
        mcp(&server, Some("not-a-token-this-server-issued")).await,
        "the access token is unknown or expired",
    );
}

#[tokio::test]
async fn the_token_request_must_name_the_codes_resource_exactly() {
    let server = start(Policy::production()).await;
    let resource = format!("{}/mcp", server.base);
    for sent in [
        None,
        Some("https://other.example/mcp"),
        Some(&*format!("{resource}/")),
    ] {
        let (code, verifier) = code_for(&server, Some(&resource)).await;
        let refused = token_for(&server, &code, verifier, sent).await;
        assert_eq!(
            http::error_of(refused).as_ref(),
            "invalid_target",
            "token request resource {sent:?}"
        );
    }
    // No widening either: a code issued without a resource.
    let (code, verifier) = code_for(&server, None).await;
    let refused = token_for(&server, &code, verifier, Some(&resource)).await;
    assert_eq!(http::error_of(refused).as_ref(), "invalid_target");
    // The refused code was consumed: the right resource cannot follow.
    let (code, verifier) = code_for(&server, Some(&resource)).await;
    let again = oauth2::PkceCodeVerifier::new(verifier.secret().clone());
    assert!(token_for(&server, &code, verifier, None).await.is_err());
    let refused = token_for(&server, &code, again, Some(&resource)).await;
    assert_eq!(http::error_of(refused).as_ref(), "invalid_grant");
}

#[tokio::test]
async fn a_malformed_resource_is_refused_with_invalid_target_and_no_code() {
    let server = start(Policy::production()).await;
    for bad in [
        vec!["https://rs.example/mcp#fragment"],
        vec!["/mcp"],
        vec!["https://a.example/mcp", "https://b.example/mcp"],
    ] {
        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        let client = server.spa();
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge);
        for resource in &bad {
            request = request.add_extra_param("resource", *resource);
        }
        let params = server.authorize(request.url().0, SPA_REDIRECT).await;
        assert_eq!(params.get("code"), None, "{bad:?}");
        assert_eq!(
            params.get("error").map(String::as_str),
            Some("invalid_target"),
            "{bad:?}"
        );
    }
}

#[tokio::test]
async fn without_methods_metadata_pkce_is_still_enforced() {
    let server = start_with(|base| {
        demo::app_with(
            Policy::production(),
            base,
            Some(demo::Weakness::NoMethodsMetadata),
        )
    })
    .await;
    // Only the metadata lies: a public client without a challenge is refused.
    let url = server.spa().authorize_url(CsrfToken::new_random).url().0;
    let params = server.authorize(url, SPA_REDIRECT).await;
    assert_eq!(params.get("code"), None);
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("invalid_request")
    );
    // And the S256 flow for /mcp works as on the strict server.
    let resource = format!("{}/mcp", server.base);
    let (code, verifier) = code_for(&server, Some(&resource)).await;
    let token = token_for(&server, &code, verifier, Some(&resource))
        .await
        .unwrap();
    let (status, _, _) = mcp(&server, Some(token.access_token().secret())).await;
    assert_eq!(status, StatusCode::OK);
}
