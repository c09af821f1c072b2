//! The demo server on an ephemeral loopback port and an `oauth2` client
//! for it, shared by the HTTP test files (each includes this with
//! `#[path = "support/http.rs"] mod http;`).
#![allow(dead_code)] // each test file uses a different part

use std::collections::HashMap;
use std::time::Duration;

use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicTokenResponse, BasicTokenType};
use oauth2::reqwest::{self, StatusCode, header};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, TokenResponse, TokenUrl,
};
use proofkey::Policy;

pub(crate) type Client =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The public client's redirect URI: a loopback port of its choosing.
pub(crate) const SPA_REDIRECT: &str = "http://127.0.0.1:53682/callback";

pub(crate) struct Server {
    pub(crate) base: String,
    pub(crate) http: reqwest::Client,
}

/// Starts `server` on 127.0.0.1:0; its task ends with the test's runtime.
pub(crate) async fn start_with(server: impl FnOnce(&str) -> axum::Router) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("local addr"));
    let app = server(&base);
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    // Not following redirects is what the oauth2 crate requires (SSRF), and
    // it lets the test read the authorization response's Location.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client");
    Server { base, http }
}

pub(crate) async fn start(policy: Policy) -> Server {
    start_with(|base| demo::app(policy, base)).await
}

impl Server {
    pub(crate) fn spa(&self) -> Client {
        BasicClient::new(ClientId::new(demo::SPA_CLIENT_ID.to_owned()))
            .set_auth_uri(AuthUrl::new(format!("{}/authorize", self.base)).expect("auth url"))
            .set_token_uri(TokenUrl::new(format!("{}/token", self.base)).expect("token url"))
            .set_redirect_uri(RedirectUrl::new(SPA_REDIRECT.to_owned()).expect("redirect url"))
    }

    pub(crate) fn backend(&self, secret: &str) -> Client {
        BasicClient::new(ClientId::new(demo::BACKEND_CLIENT_ID.to_owned()))
            .set_client_secret(ClientSecret::new(secret.to_owned()))
            .set_auth_uri(AuthUrl::new(format!("{}/authorize", self.base)).expect("auth url"))
            .set_token_uri(TokenUrl::new(format!("{}/token", self.base)).expect("token url"))
            .set_redirect_uri(
                RedirectUrl::new(demo::BACKEND_REDIRECT_URI.to_owned()).expect("redirect url"),
            )
    }

    /// GETs an authorization URL and returns the parameters of the redirect
    /// back to `redirect_uri` (checked to be the Location's prefix).
    pub(crate) async fn authorize(
        &self,
        url: oauth2::url::Url,
        redirect_uri: &str,
    ) -> HashMap<String, String> {
        let response = self.http.get(url).send().await.expect("GET /authorize");
        assert!(
            matches!(response.status(), StatusCode::FOUND | StatusCode::SEE_OTHER),
            "expected a redirect, got {}",
            response.status()
        );
        let location = response
            .headers()
            .get(header::LOCATION)
            .expect("Location")
            .to_str()
            .expect("ASCII");
        let location = oauth2::url::Url::parse(location).expect("absolute Location");
        let mut back = location.clone();
        back.set_query(None);
        assert_eq!(
            back.as_str(),
            redirect_uri,
            "redirected elsewhere than the redirect_uri"
        );
        let mut params = HashMap::new();
        for (name, value) in location.query_pairs() {
            let name = name.into_owned();
            assert!(
                params.insert(name.clone(), value.into_owned()).is_none(),
                "repeated {name}"
            );
        }
        assert_eq!(params.get("iss"), Some(&self.base), "RFC 9207 iss");
        params
    }

    /// A successful authorization with `challenge`: returns the code, after
    /// checking that `state` came back.
    pub(crate) async fn code(
        &self,
        client: &Client,
        challenge: Option<PkceCodeChallenge>,
        redirect_uri: &str,
    ) -> String {
        let mut request = client.authorize_url(CsrfToken::new_random);
        if let Some(challenge) = challenge {
            request = request.set_pkce_challenge(challenge);
        }
        let (url, state) = request.url();
        let params = self.authorize(url, redirect_uri).await;
        assert_eq!(params.get("error"), None, "{params:?}");
        assert_eq!(params.get("state"), Some(state.secret()));
        params.get("code").expect("code in the redirect").clone()
    }
}

pub(crate) type TokenResult = Result<
    BasicTokenResponse,
    RequestTokenError<oauth2::HttpClientError<reqwest::Error>, oauth2::basic::BasicErrorResponse>,
>;

pub(crate) async fn redeem(
    server: &Server,
    client: &Client,
    code: &str,
    verifier: Option<PkceCodeVerifier>,
) -> TokenResult {
    let mut request = client.exchange_code(AuthorizationCode::new(code.to_owned()));
    if let Some(verifier) = verifier {
        request = request.set_pkce_verifier(verifier);
    }
    request.request_async(&server.http).await
}

/// The RFC 6749 §5.2 `error` of a failed token request.
pub(crate) fn error_of(result: TokenResult) -> BasicErrorResponseType {
    match result {
        Ok(_) => panic!("the token request succeeded"),
        Err(RequestTokenError::ServerResponse(e)) => e.error().clone(),
        Err(other) => panic!("not an OAuth error response: {other:?}"),
    }
}

pub(crate) fn assert_token(token: &BasicTokenResponse) {
    assert_eq!(token.token_type(), &BasicTokenType::Bearer);
    assert_eq!(
        token.expires_in(),
        Some(Duration::from_secs(demo::ACCESS_TOKEN_LIFETIME_SECS))
    );
    assert_eq!(token.access_token().secret().len(), 43);
}

pub(crate) fn verifier_copy(v: &PkceCodeVerifier) -> PkceCodeVerifier {
    PkceCodeVerifier::new(v.secret().clone())
}
