//! Three demo instances on one shared store, real Redis and PostgreSQL
//! started here (proofkey-testservers): a redemption race spread over the
//! instances gives one token per code, a challenge used at one instance is
//! refused at another, a code outlives the SIGKILL of the instance that
//! issued it, and a store that stops gives clean 503s, then service again.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use oauth2::PkceCodeChallenge;
use oauth2::reqwest::{self, StatusCode, header};
use oauth2::url::form_urlencoded::byte_serialize;
use proofkey_testservers::{Postgres, Redis, Server};

#[path = "support/binary.rs"]
mod binary;

const REDIRECT: &str = "http://127.0.0.1:53682/callback";
const KEY: &str = "6b6579206f6620746865207265757365206775617264206f6620746865207465";
const RACERS: usize = 50;
const ROUNDS: usize = 10;

/// A demo binary on `--store url`, killed (SIGKILL) on drop.
struct Instance {
    child: Child,
    base: String,
}

impl Instance {
    fn start(store: &str) -> Self {
        let (child, base) = binary::spawn(
            &["0", "--store", store],
            &[("DEMO_REUSE_KEY", KEY)],
            // The decision log is not read: a full pipe would block the server.
            Stdio::null(),
        );
        Self { child, base }
    }

    fn kill(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }

    fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("reqwest client")
}

/// An authorization request with `challenge`: the code, or the `error`.
async fn authorize(http: &reqwest::Client, base: &str, challenge: &str) -> Result<String, String> {
    let redirect: String = byte_serialize(REDIRECT.as_bytes()).collect();
    let response = http
        .get(format!(
            "{base}/authorize?response_type=code&client_id=spa&redirect_uri={redirect}\
             &code_challenge={challenge}&code_challenge_method=S256&state=s"
        ))
        .send()
        .await
        .expect("GET /authorize");
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let param = |name: &str| {
        location
            .split_once('?')
            .and_then(|(_, q)| {
                q.split('&')
                    .find_map(|p| p.strip_prefix(&format!("{name}=")))
            })
            .map(str::to_owned)
    };
    match (param("code"), param("error")) {
        (Some(code), None) => Ok(code),
        (None, Some(error)) => Err(error),
        _ => panic!("{location}"),
    }
}

/// A token request: the status and the JSON body.
async fn token(
    http: &reqwest::Client,
    base: &str,
    code: &str,
    verifier: &str,
) -> (StatusCode, serde_json::Value) {
    let body = format!(
        "grant_type=authorization_code&client_id=spa&code={code}&code_verifier={verifier}\
         &redirect_uri={}",
        byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    );
    let response = http
        .post(format!("{base}/token"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("POST /token");
    let status = response.status();
    let json = serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON");
    (status, json)
}

fn pkce() -> (String, String) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    (challenge.as_str().to_owned(), verifier.secret().clone())
}

/// Every scenario, in order, on three instances of one store.
async fn three_instances(server: &mut impl Server) {
    let url = server.url();
    // Without one fingerprint key on every instance, none would recognise
    // another's challenges: the server refuses to start.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["0", "--store", &url])
        .env_remove("DEMO_REUSE_KEY")
        .output()
        .expect("run demo");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs DEMO_REUSE_KEY"));

    let mut instances = [
        Instance::start(&url),
        Instance::start(&url),
        Instance::start(&url),
    ];
    let bases: Vec<String> = instances.iter().map(|i| i.base.clone()).collect();
    let http = http();

    // 1. The race: each code redeemed 50 times at once over the three
    // instances gives exactly one token.
    for round in 0..ROUNDS {
        let (challenge, verifier) = pkce();
        let code = authorize(&http, &bases[round % 3], &challenge)
            .await
            .expect("code");
        let racers: Vec<_> = (0..RACERS)
            .map(|i| {
                let (http, base) = (http.clone(), bases[i % 3].clone());
                let (code, verifier) = (code.clone(), verifier.clone());
                tokio::spawn(async move { token(&http, &base, &code, &verifier).await })
            })
            .collect();
        let mut tokens = 0;
        for racer in racers {
            let (status, json) = racer.await.expect("racer");
            if status == StatusCode::OK {
                assert!(json["access_token"].is_string());
                tokens += 1;
            } else {
                assert_eq!(
                    (status, json["error"].as_str()),
                    (StatusCode::BAD_REQUEST, Some("invalid_grant"))
                );
            }
        }
        assert_eq!(tokens, 1, "round {round}: {tokens} tokens for one code");
    }

    // 2. A challenge used at instance 1 is refused at instance 2.
    let (challenge, _) = pkce();
    authorize(&http, &bases[0], &challenge)
        .await
        .expect("first use");
    assert_eq!(
        authorize(&http, &bases[1], &challenge).await,
        Err("invalid_request".to_owned())
    );

    // 3. Issued by instance 1, which is then SIGKILLed: redeemed at instance 3.
    let (challenge, verifier) = pkce();
    let code = authorize(&http, &bases[0], &challenge).await.expect("code");
    instances[0].kill();
    let (status, json) = token(&http, &bases[2], &code, &verifier).await;
    assert_eq!(status, StatusCode::OK, "{json}");

    // 4. The store stops: clean 503s and redirected errors, no token, no
    // crash. It restarts: service resumes.
    let (challenge, verifier) = pkce();
    let pending = authorize(&http, &bases[1], &challenge).await.expect("code");
    server.stop();
    let (status, json) = token(&http, &bases[2], &pending, &verifier).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{json}");
    assert_eq!(json["error"], "temporarily_unavailable");
    assert!(json.get("access_token").is_none());
    let (challenge, _) = pkce();
    assert_eq!(
        authorize(&http, &bases[1], &challenge).await,
        Err("temporarily_unavailable".to_owned())
    );
    assert!(instances[1].is_running() && instances[2].is_running());
    server.restart();
    let deadline = Instant::now() + Duration::from_secs(30);
    let (challenge, verifier) = pkce();
    let code = loop {
        match authorize(&http, &bases[1], &challenge).await {
            Ok(code) => break code,
            Err(e) if e == "temporarily_unavailable" && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("after the restart: {e}"),
        }
    };
    let (status, json) = token(&http, &bases[2], &code, &verifier).await;
    assert_eq!(status, StatusCode::OK, "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_on_redis() {
    if let Some(mut server) = Redis::start() {
        three_instances(&mut server).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_on_postgres() {
    if let Some(mut server) = Postgres::start() {
        three_instances(&mut server).await;
    }
}
