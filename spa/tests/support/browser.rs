//! Headless Chromium over WebDriver (fantoccini), with two Chromium
//! extensions of chromedriver: DevTools commands (to block a URL pattern,
//! as a slow or hostile network would) and the performance log (every
//! request the browser made: URL, headers, redirects, POST bodies).

use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::error::CmdError;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use url::Url;

use super::{Driver, TempDir};

/// How long the page may take to show a result.
const WAIT: Duration = Duration::from_secs(30);

/// The flags Chromium needs as root in a closed network.
const CHROME_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

/// A chromedriver extension command: `POST /session/{id}/<path>` with `body`.
#[derive(Debug)]
struct Extension {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for Extension {
    fn endpoint(&self, base: &Url, session: Option<&str>) -> Result<Url, url::ParseError> {
        base.join(&format!(
            "session/{}/{}",
            session.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// What the app's page shows once it is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// `#token`: the token response, as JSON.
    Token(Value),
    /// `#error`: its `data-error` kind and its text.
    Error { kind: String, text: String },
}

pub(crate) struct Browser {
    pub(crate) client: Client,
    profile: Arc<TempDir>,
    /// Every performance-log event read so far (reading drains chromedriver's buffer).
    events: Vec<Value>,
}

impl Browser {
    /// A new session of headless Chromium with a fresh profile.
    pub(crate) async fn open(driver: &Driver) -> Self {
        let profile = TempDir::new("proofkey-e2e-chromium");
        let mut args: Vec<String> = CHROME_ARGS.iter().map(|a| (*a).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.0.display()));
        let binary = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": binary, "args": args },
            "goog:loggingPrefs": { "performance": "ALL" },
            "timeouts": { "pageLoad": 30_000, "script": 10_000, "implicit": 0 },
        });
        let Value::Object(caps) = caps else {
            unreachable!("an object literal")
        };
        let mut builder = ClientBuilder::new(HttpConnector::new());
        let connect = builder.capabilities(caps).connect(&driver.url);
        let client = tokio::time::timeout(Duration::from_secs(60), connect)
            .await
            .expect("a WebDriver session within 60 s")
            .expect("a WebDriver session");
        Self {
            client,
            profile: Arc::new(profile),
            events: Vec::new(),
        }
    }

    /// The profile directory: the harness removes it after the browser quits.
    pub(crate) fn profile(&self) -> Arc<TempDir> {
        self.profile.clone()
    }

    async fn extension(&self, path: &'static str, body: Value) -> Result<Value, CmdError> {
        self.client.issue_cmd(Extension { path, body }).await
    }

    /// Runs `script` (a function body) in the current page.
    pub(crate) async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("execute script")
    }

    pub(crate) async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("current url")
            .to_string()
    }

    /// Blocks requests whose URL matches one of `patterns` in the current
    /// tab (none: unblock); a blocked request fails as a network error.
    pub(crate) async fn block(&self, patterns: &[&str]) {
        self.extension(
            "goog/cdp/execute",
            json!({ "cmd": "Network.enable", "params": {} }),
        )
        .await
        .expect("Network.enable");
        let url_patterns: Vec<Value> = patterns
            .iter()
            .map(|p| json!({ "urlPattern": p, "block": true }))
            .collect();
        let params = json!({ "urlPatterns": url_patterns });
        if self
            .extension(
                "goog/cdp/execute",
                json!({ "cmd": "Network.setBlockedURLs", "params": params }),
            )
            .await
            .is_err()
        {
            // Chromium before `urlPatterns`.
            self.extension(
                "goog/cdp/execute",
                json!({ "cmd": "Network.setBlockedURLs", "params": { "urls": patterns } }),
            )
            .await
            .expect("Network.setBlockedURLs");
        }
    }

    /// Opens `url` and waits until the app's login button is enabled.
    pub(crate) async fn open_app(&self, url: &str) {
        self.client.goto(url).await.expect("goto");
        let deadline = Instant::now() + WAIT;
        loop {
            let ready = self
                .js("const b = document.getElementById('login'); return !!b && !b.disabled;")
                .await;
            if ready == json!(true) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the app never became ready at {url}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(crate) async fn click_login(&self) {
        self.client
            .find(Locator::Id("login"))
            .await
            .expect("#login")
            .click()
            .await
            .expect("click #login");
    }

    /// Waits until the page shows `#token` or `#error`.
    pub(crate) async fn outcome(&self) -> Outcome {
        let deadline = Instant::now() + WAIT;
        loop {
            let seen = self
                .js(
                    "const t = document.getElementById('token'), e = document.getElementById('error');\
                     if (t && !t.hidden) return ['token', t.textContent];\
                     if (e && !e.hidden) return ['error', e.textContent, e.getAttribute('data-error')];\
                     return null;",
                )
                .await;
            match seen.as_array().map(Vec::as_slice) {
                Some([kind, text]) if kind == "token" => {
                    let text = text.as_str().expect("text");
                    return Outcome::Token(serde_json::from_str(text).expect("#token is JSON"));
                }
                Some([_, text, kind]) => {
                    return Outcome::Error {
                        kind: kind.as_str().unwrap_or_default().to_owned(),
                        text: text.as_str().unwrap_or_default().to_owned(),
                    };
                }
                _ => {}
            }
            assert!(Instant::now() < deadline, "no #token or #error shown");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the tab's URL starts with `prefix`, and returns it.
    pub(crate) async fn wait_url(&self, prefix: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let url = self.url().await;
            if url.starts_with(prefix) {
                return url;
            }
            assert!(
                Instant::now() < deadline,
                "never reached {prefix}, at {url}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The current origin's `sessionStorage`, as (key, value) pairs.
    pub(crate) async fn session_storage(&self) -> Vec<(String, String)> {
        let entries = self
            .js("return Object.keys(sessionStorage).map(k => [k, sessionStorage.getItem(k)]);")
            .await;
        serde_json::from_value(entries).expect("pairs")
    }

    /// Every network event of this session so far (Network.* of the
    /// performance log), in order.
    pub(crate) async fn network_events(&mut self) -> &[Value] {
        let entries = self
            .extension("se/log", json!({ "type": "performance" }))
            .await
            .expect("the performance log");
        for entry in entries.as_array().into_iter().flatten() {
            let message = entry["message"].as_str().unwrap_or_default();
            let Ok(message) = serde_json::from_str::<Value>(message) else {
                continue;
            };
            let event = &message["message"];
            if event["method"]
                .as_str()
                .is_some_and(|m| m.starts_with("Network."))
            {
                self.events.push(event.clone());
            }
        }
        &self.events
    }

    /// The URLs of every request the browser sent so far.
    pub(crate) async fn request_urls(&mut self) -> Vec<String> {
        self.network_events()
            .await
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .filter_map(|e| e["params"]["request"]["url"].as_str().map(str::to_owned))
            .collect()
    }

    /// The body of a POST request, from the log or else from DevTools.
    pub(crate) async fn post_data(&self, event: &Value) -> String {
        if let Some(data) = event["params"]["request"]["postData"].as_str() {
            return data.to_owned();
        }
        let id = event["params"]["requestId"].clone();
        let got = self
            .extension(
                "goog/cdp/execute",
                json!({ "cmd": "Network.getRequestPostData", "params": { "requestId": id } }),
            )
            .await
            .expect("Network.getRequestPostData");
        got["postData"].as_str().expect("postData").to_owned()
    }

    /// The back-history of the tab: the URL of every entry from the current
    /// one back to the first, walking back with WebDriver.
    pub(crate) async fn walk_history_back(&self) -> Vec<String> {
        let length = self
            .js("return history.length;")
            .await
            .as_u64()
            .expect("history.length");
        let mut urls = vec![self.url().await];
        for _ in 1..length {
            self.client.back().await.expect("back");
            urls.push(self.url().await);
        }
        urls
    }
}
