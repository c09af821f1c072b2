//! The app end to end: headless Chromium, driven over WebDriver, logs in
//! against the demo server (a child process whose whole log is captured).
//! Run by `.ci/browser.sh` (`-- --ignored`), after it builds the demo and
//! the app; needs chromium and chromedriver.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use proofkey::CodeVerifier;
use serde_json::Value;
use support::browser::{Browser, Outcome};
use support::{Demo, Driver};

/// Requests for the app's code fail: the page loads but the app never runs,
/// like a slow network or a tab left on the callback.
const APP_CODE: &str = "*/spa/pkg/*";

/// Runs `test` with a fresh demo, chromedriver and browser session; the
/// session is closed and the processes killed whatever the outcome.
async fn e2e<F, Fut>(test: F)
where
    F: FnOnce(Arc<Demo>, Browser) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let demo = Arc::new(Demo::start());
    let driver = Driver::start();
    let browser = Browser::open(&driver).await;
    let client = browser.client.clone();
    let profile = browser.profile();
    let result = tokio::spawn(test(demo.clone(), browser)).await;
    let _ = tokio::time::timeout(Duration::from_secs(20), client.close()).await;
    drop(driver);
    drop(profile);
    if let Err(e) = result {
        std::panic::resume_unwind(e.try_into_panic().unwrap_or_else(|_| Box::new("cancelled")));
    }
}

fn app(demo: &Demo) -> String {
    format!("{}/spa/", demo.origin)
}

fn callback_prefix(demo: &Demo) -> String {
    format!("{}/spa/callback.html?", demo.origin)
}

fn expect_token(outcome: Outcome) -> Value {
    match outcome {
        Outcome::Token(token) => {
            assert_eq!(token["token_type"], "Bearer");
            assert_eq!(token["access_token"].as_str().map(str::len), Some(43));
            token
        }
        Outcome::Error { kind, text } => panic!("expected a token, got {kind}: {text}"),
    }
}

fn expect_error(outcome: Outcome) -> String {
    match outcome {
        Outcome::Error { kind, .. } => kind,
        Outcome::Token(token) => panic!("expected an error, got a token: {token}"),
    }
}

fn query(url: &str) -> HashMap<String, String> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Waits until `needle` is in `n` lines of the demo's log.
async fn wait_log(demo: &Demo, needle: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while demo.count(needle) < n {
        assert!(
            Instant::now() < deadline,
            "{n}x {needle:?} not in {:?}",
            demo.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Starts a login whose callback page loads but cannot run the app; returns
/// the callback URL, code in it, and leaves the tab there (still blocked).
async fn login_stopped_at_callback(demo: &Demo, b: &Browser) -> String {
    b.block(&[]).await;
    b.open_app(&app(demo)).await;
    b.block(&[APP_CODE]).await;
    b.click_login().await;
    let url = b.wait_url(&callback_prefix(demo)).await;
    assert_eq!(expect_error(b.outcome().await), "not_loaded");
    url
}

#[tokio::test]
#[ignore = "needs chromium, chromedriver and the built SPA: run by .ci/browser.sh"]
async fn login_completes_and_shows_a_token() {
    e2e(|demo, b| async move {
        b.open_app(&app(&demo)).await;
        assert!(b.session_storage().await.is_empty());
        b.click_login().await;
        let token = expect_token(b.outcome().await);
        assert_eq!(token["expires_in"], 3600);
        // The code and state are gone from the address bar, the flow from storage.
        assert_eq!(b.url().await, format!("{}/spa/callback.html", demo.origin));
        assert!(b.session_storage().await.is_empty());
        wait_log(&demo, "code issued (PKCE: S256)", 1).await;
        wait_log(&demo, "access token issued", 1).await;
    })
    .await;
}

#[tokio::test]
#[ignore = "needs chromium, chromedriver and the built SPA: run by .ci/browser.sh"]
async fn the_verifier_is_only_in_the_token_request() {
    e2e(|demo, mut b| async move {
        b.open_app(&app(&demo)).await;
        b.click_login().await;
        expect_token(b.outcome().await);
        wait_log(&demo, "access token issued", 1).await;

        let events = b.network_events().await.to_vec();
        let sent = |e: &&Value| e["method"] == "Network.requestWillBeSent";
        let token_url = format!("{}/token", demo.origin);
        let posts: Vec<&Value> = events
            .iter()
            .filter(sent)
            .filter(|e| e["params"]["request"]["url"] == token_url.as_str())
            .collect();
        assert_eq!(posts.len(), 1, "one token request");
        let form = query(&format!("?{}", b.post_data(posts[0]).await));
        let verifier = form["code_verifier"].clone();
        let code = form["code"].clone();

        // It is the verifier of the challenge the authorization request sent.
        let authorize = events
            .iter()
            .filter(sent)
            .filter_map(|e| e["params"]["request"]["url"].as_str())
            .find(|u| u.starts_with(&format!("{}/authorize?", demo.origin)))
            .expect("the authorization request");
        let sent_query = query(authorize);
        assert_eq!(sent_query["code_challenge_method"], "S256");
        let v = CodeVerifier::parse(&verifier).expect("a valid verifier");
        assert_eq!(v.challenge().as_str(), sent_query["code_challenge"]);

        // Nowhere else on the network: no URL, header, redirect or other body.
        let mut seen_callback = false;
        for event in &events {
            let mut event = event.clone();
            if event["params"]["request"]["url"] == token_url.as_str() {
                if let Some(request) = event["params"]["request"].as_object_mut() {
                    request.remove("postData");
                    request.remove("postDataEntries");
                }
            }
            let text = event.to_string();
            seen_callback |= text.contains("/spa/callback.html?code=");
            assert!(!text.contains(&verifier), "the verifier leaked: {text}");
        }
        assert!(seen_callback, "the log holds the callback request");

        // Not in the server's log.
        let log = demo.log().join("\n");
        assert!(!log.contains(&verifier), "{log}");

        // Not left in the page, its storage or its cookies.
        let page = b
            .js(
                "return [document.documentElement.outerHTML, JSON.stringify(sessionStorage), \
                 JSON.stringify(localStorage), document.cookie].join('\\n');",
            )
            .await;
        assert!(!page.as_str().expect("text").contains(&verifier));

        // Not in the history, and the code is not either: every entry.
        let history = b.walk_history_back().await;
        let callback = format!("{}/spa/callback.html", demo.origin);
        assert!(history.contains(&callback), "{history:?}");
        assert!(history.contains(&app(&demo)), "{history:?}");
        for url in &history {
            assert!(!url.contains(&verifier) && !url.contains(&code), "{url}");
        }
    })
    .await;
}

#[tokio::test]
#[ignore = "needs chromium, chromedriver and the built SPA: run by .ci/browser.sh"]
async fn two_tabs_finish_in_reverse_order() {
    e2e(|demo, b| async move {
        // Tab A starts first and is left on its callback.
        let tab_a = b.client.window().await.expect("tab A");
        login_stopped_at_callback(&demo, &b).await;
        assert_eq!(b.session_storage().await.len(), 1);

        // Tab B starts second and finishes first.
        let tab_b = b.client.new_window(true).await.expect("tab B").handle;
        b.client.switch_to_window(tab_b).await.expect("to B");
        b.open_app(&app(&demo)).await;
        b.click_login().await;
        let token_b = expect_token(b.outcome().await);
        assert!(b.session_storage().await.is_empty());

        // Tab A finishes last.
        b.client.switch_to_window(tab_a).await.expect("to A");
        b.block(&[]).await;
        b.client.refresh().await.expect("reload A");
        let token_a = expect_token(b.outcome().await);
        assert!(b.session_storage().await.is_empty());
        assert_ne!(token_a["access_token"], token_b["access_token"]);
        wait_log(&demo, "access token issued", 2).await;
    })
    .await;
}

#[tokio::test]
#[ignore = "needs chromium, chromedriver and the built SPA: run by .ci/browser.sh"]
async fn two_logins_in_one_tab_finish_in_reverse_order() {
    e2e(|demo, b| async move {
        let first = login_stopped_at_callback(&demo, &b).await;
        let second = login_stopped_at_callback(&demo, &b).await;
        // One entry per state: the second login did not overwrite the first.
        let mut keys: Vec<String> = b
            .session_storage()
            .await
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        keys.sort();
        let mut expected: Vec<String> = [&first, &second]
            .iter()
            .map(|url| format!("proofkey.flow.{}", query(url)["state"]))
            .collect();
        expected.sort();
        assert_eq!(keys, expected);

        b.block(&[]).await;
        b.client.goto(&second).await.expect("second callback");
        let token_2 = expect_token(b.outcome().await);
        assert_eq!(b.session_storage().await.len(), 1);
        b.client.goto(&first).await.expect("first callback");
        let token_1 = expect_token(b.outcome().await);
        assert!(b.session_storage().await.is_empty());
        assert_ne!(token_1["access_token"], token_2["access_token"]);
        wait_log(&demo, "access token issued", 2).await;
    })
    .await;
}

#[tokio::test]
#[ignore = "needs chromium, chromedriver and the built SPA: run by .ci/browser.sh"]
async fn reloading_the_callback_fails_cleanly() {
    e2e(|demo, mut b| async move {
        b.open_app(&app(&demo)).await;
        b.click_login().await;
        expect_token(b.outcome().await);
        let callback = b
            .request_urls()
            .await
            .into_iter()
            .find(|u| u.starts_with(&callback_prefix(&demo)))
            .expect("the callback URL, code in it");

        // The same response again: its flow was consumed.
        b.client.goto(&callback).await.expect("replay");
        assert_eq!(expect_error(b.outcome().await), "no_pending_login");
        // The page dropped the query again: a reload has nothing to complete.
        assert_eq!(b.url().await, format!("{}/spa/callback.html", demo.origin));
        b.client.refresh().await.expect("reload");
        assert_eq!(expect_error(b.outcome().await), "no_response");

        // Neither sent a token request.
        let token_url = format!("{}/token", demo.origin);
        let posts = b
            .request_urls()
            .await
            .iter()
            .filter(|u| **u == token_url)
            .count();
        assert_eq!(posts, 1);
        wait_log(&demo, "access token issued", 1).await;
        assert_eq!(demo.count("token client="), 1, "{:?}", demo.log());
    })
    .await;
}

#[tokio::test]
#[ignore = "needs chromium, chromedriver and the built SPA: run by .ci/browser.sh"]
async fn an_attacker_with_only_the_code_gets_invalid_grant() {
    e2e(|demo, b| async move {
        let guessed = CodeVerifier::random().expect("a verifier");
        for attacker_verifier in [None, Some(guessed.secret())] {
            // The victim's callback URL leaks before the app redeems its code.
            let url = login_stopped_at_callback(&demo, &b).await;
            let code = query(&url)["code"].clone();
            let redirect_uri = format!("{}/spa/callback.html", demo.origin);
            let mut pairs = vec![
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", &redirect_uri),
                ("client_id", "spa"),
            ];
            pairs.extend(attacker_verifier.map(|v| ("code_verifier", v)));
            let form = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            let (status, body) = demo.post_form("/token", &form);
            let json: Value = serde_json::from_str(&body).expect("a JSON error");
            assert_eq!(
                (status, json["error"].as_str()),
                (400, Some("invalid_grant")),
                "{body}"
            );
            assert!(json.get("access_token").is_none());

            // The app, late, with the right verifier: the code is spent
            // (consumed by any attempt), and it says so.
            b.block(&[]).await;
            b.client.refresh().await.expect("reload");
            assert_eq!(expect_error(b.outcome().await), "invalid_grant");
            assert!(b.session_storage().await.is_empty());
        }
        assert_eq!(demo.count("access token issued"), 0, "{:?}", demo.log());
    })
    .await;
}

#[tokio::test]
#[ignore = "needs chromium, chromedriver and the built SPA: run by .ci/browser.sh"]
async fn a_callback_with_another_iss_is_refused_without_a_token_request() {
    e2e(|demo, mut b| async move {
        // The real response, held at the callback; then the same response
        // with the iss of another server (a mix-up, RFC 9207).
        let url = login_stopped_at_callback(&demo, &b).await;
        let real = form_urlencoded::byte_serialize(demo.origin.as_bytes()).collect::<String>();
        assert!(url.contains(&format!("iss={real}")), "{url}");
        let forged = url.replace(&format!("iss={real}"), "iss=http%3A%2F%2Fevil.example");
        b.block(&[]).await;
        b.client.goto(&forged).await.expect("the forged callback");
        assert_eq!(expect_error(b.outcome().await), "issuer");
        // The flow was used up, and nothing reached the token endpoint.
        assert!(b.session_storage().await.is_empty());
        let token_url = format!("{}/token", demo.origin);
        assert!(
            !b.request_urls().await.contains(&token_url),
            "a token request was sent"
        );
        assert_eq!(demo.count("token client="), 0, "{:?}", demo.log());
    })
    .await;
}
