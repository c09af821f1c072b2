//! `pkce login --no-browser` against the demo server, the test playing the
//! browser: it follows the printed URL with an HTTP client and delivers
//! the redirect (as is, or tampered with) to the loopback listener.

mod support;

use serde_json::Value;
use support::{Demo, Running, browser, fixed_server, location, run, visit};
use url::Url;

/// Starts `pkce login` and returns it with the authorization URL it printed.
fn start(args: &[&str]) -> (Running, Url) {
    let mut login = Running::start(args);
    assert_eq!(
        login.next_stderr_line().as_deref(),
        Some("open this URL in a browser:")
    );
    let url = Url::parse(&login.next_stderr_line().unwrap()).unwrap();
    let waiting = login.next_stderr_line().unwrap();
    assert!(
        waiting.starts_with("waiting for the redirect to http://127.0.0.1:"),
        "{waiting}"
    );
    (login, url)
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `url` with parameter `name` replaced by `value` (or removed).
fn with_param(url: &Url, name: &str, value: Option<&str>) -> String {
    let mut out = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| k != name)
        .collect();
    out.query_pairs_mut().clear().extend_pairs(&pairs);
    if let Some(value) = value {
        out.query_pairs_mut().append_pair(name, value);
    }
    out.to_string()
}

#[test]
fn login_completes_against_the_demo() {
    let demo = Demo::start(None);
    let (login, url) = start_spa(&demo, "60");
    // A PKCE S256 authorization request on the loopback redirect URI.
    assert!(
        url.as_str()
            .starts_with(&format!("{}/authorize?", demo.issuer)),
        "{url}"
    );
    assert_eq!(param(&url, "response_type").as_deref(), Some("code"));
    assert_eq!(
        param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(param(&url, "code_challenge").map(|c| c.len()), Some(43));
    assert_eq!(param(&url, "state").map(|s| s.len()), Some(43));
    let redirect_uri = param(&url, "redirect_uri").unwrap();
    assert!(
        redirect_uri.starts_with("http://127.0.0.1:") && redirect_uri.ends_with("/callback"),
        "{redirect_uri}"
    );

    let agent = browser();
    let redirect = location(&agent, url.as_str()).unwrap();
    assert!(redirect.starts_with(&redirect_uri), "{redirect}");
    // Another path on the listener does not end the wait.
    let port = Url::parse(&redirect_uri).unwrap().port().unwrap();
    assert_eq!(
        visit(&agent, &format!("http://127.0.0.1:{port}/favicon.ico")),
        404
    );
    assert_eq!(visit(&agent, &redirect), 200);

    let out = login.finish();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    let tokens: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(
        tokens["access_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    let log = demo.log.lines();
    assert!(
        log.iter()
            .any(|l| l.starts_with("token client=spa: access token issued")),
        "{log:?}"
    );
}

/// `pkce login` for the demo's public client, the URL printed, with `--timeout secs`.
fn start_spa(demo: &Demo, secs: &str) -> (Running, Url) {
    start(&[
        "login",
        &demo.issuer,
        "--client-id",
        "spa",
        "--no-browser",
        "--timeout",
        secs,
    ])
}

/// Runs a login whose redirect the test changes with `tamper`; returns
/// the finished process.
fn tampered(tamper: impl Fn(&Url, &Demo) -> String) -> (support::Finished, Demo) {
    let demo = Demo::start(None);
    let (login, url) = start_spa(&demo, "60");
    let agent = browser();
    let redirect = Url::parse(&location(&agent, url.as_str()).unwrap()).unwrap();
    assert_eq!(visit(&agent, &tamper(&redirect, &demo)), 200);
    (login.finish(), demo)
}

fn assert_refused(out: &support::Finished, needle: &str) {
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    let last = out.stderr.lines().last().unwrap();
    assert!(
        last.starts_with("error: ") && last.contains(needle),
        "{}",
        out.stderr
    );
}

/// The listener takes only the redirect carrying the login's own state:
/// a forged or missing state, or a stray request to the callback path
/// (another local process racing the browser), gets a 400 page, is not
/// redeemed, and the wait goes on to the real redirect.
#[test]
fn a_foreign_or_missing_state_is_ignored_and_the_wait_goes_on() {
    let demo = Demo::start(None);
    let (login, url) = start_spa(&demo, "60");
    let agent = browser();
    let redirect = Url::parse(&location(&agent, url.as_str()).unwrap()).unwrap();
    let port = redirect.port().unwrap();
    let forged_error = format!("http://127.0.0.1:{port}/callback?error=access_denied");
    let bare = format!("http://127.0.0.1:{port}/callback");
    for stray in [
        with_param(
            &redirect,
            "state",
            Some("forged-state-forged-state-forged-state-xyz"),
        ),
        with_param(&redirect, "state", None),
        forged_error,
        bare,
    ] {
        assert_eq!(visit(&agent, &stray), 400, "{stray}");
    }
    assert!(!demo.log.lines().iter().any(|l| l.starts_with("token ")));
    assert_eq!(visit(&agent, redirect.as_str()), 200);
    let out = login.finish();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("access_token"), "{}", out.stdout);
}

/// A client sending one byte a second holds neither the listener nor the
/// login past --timeout (the head deadline is bounded by the wait's).
#[test]
fn a_trickling_client_does_not_extend_the_timeout() {
    let demo = Demo::start(None);
    let started = std::time::Instant::now();
    let (login, url) = start_spa(&demo, "3");
    let redirect_uri = Url::parse(&param(&url, "redirect_uri").unwrap()).unwrap();
    let port = redirect_uri.port().unwrap();
    let trickle = std::thread::spawn(move || {
        use std::io::Write as _;
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        // At most 10 bytes: the loop ends when pkce closes the connection.
        for byte in b"GET /callb" {
            if stream.write_all(&[*byte]).is_err() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    });
    let out = login.finish();
    let elapsed = started.elapsed();
    assert_refused(&out, "no authorization response at http://127.0.0.1:");
    assert!(
        elapsed < std::time::Duration::from_secs(4),
        "--timeout 3 ended after {elapsed:?}"
    );
    let _ = trickle.join();
}

#[test]
fn a_wrong_or_missing_iss_is_refused() {
    // RFC 9207: the demo advertises authorization_response_iss_parameter_supported.
    let (out, demo) = tampered(|r, _| with_param(r, "iss", Some("https://attacker.example")));
    assert_refused(&out, "the iss parameter does not match the expected issuer");
    assert!(!demo.log.lines().iter().any(|l| l.starts_with("token ")));
    let (out, _) = tampered(|r, _| with_param(r, "iss", None));
    assert_refused(&out, "lacks the iss parameter");
}

#[test]
fn an_error_response_is_reported() {
    let (out, _) = tampered(|r, demo| {
        let mut url = r.clone();
        let state = param(r, "state").unwrap();
        url.query_pairs_mut()
            .clear()
            .append_pair("error", "access_denied")
            .append_pair("error_description", "the user said no")
            .append_pair("state", &state)
            .append_pair("iss", &demo.issuer);
        url.to_string()
    });
    assert_refused(
        &out,
        "refused the request: error=access_denied (the user said no)",
    );
}

#[test]
fn a_token_error_is_reported() {
    // The demo refuses a secret from its public client (invalid_client).
    let demo = Demo::start(None);
    let (login, url) = start(&[
        "login",
        &demo.issuer,
        "--client-id",
        "spa",
        "--client-secret",
        "not-for-a-public-client",
        "--no-browser",
    ]);
    let agent = browser();
    let redirect = location(&agent, url.as_str()).unwrap();
    let code = param(&Url::parse(&redirect).unwrap(), "code").unwrap();
    visit(&agent, &redirect);
    let out = login.finish();
    assert_refused(
        &out,
        "the token endpoint refused the code: HTTP 401 invalid_client",
    );
    assert!(!out.stderr.contains(&code) && !out.stderr.contains("not-for-a-public-client"));
}

#[test]
fn no_redirect_in_time_is_a_timeout() {
    let demo = Demo::start(None);
    let out = run(&[
        "login",
        &demo.issuer,
        "--client-id",
        "spa",
        "--no-browser",
        "--timeout",
        "1",
    ]);
    assert_refused(&out, "no authorization response at http://127.0.0.1:");
    assert!(out.stderr.contains("within 1 s"), "{}", out.stderr);
}

#[test]
fn a_server_without_s256_is_refused_before_any_flow() {
    let metadata = |methods: &str| {
        format!(
            r#"{{"issuer":"{{ISSUER}}","authorization_endpoint":"{{ISSUER}}/authorize","token_endpoint":"{{ISSUER}}/token"{methods}}}"#
        )
    };
    let only_plain = fixed_server(vec![(
        "/.well-known/oauth-authorization-server",
        200,
        metadata(r#","code_challenge_methods_supported":["plain"]"#),
    )]);
    // No RFC 8414 document: OpenID discovery is tried next.
    let none = fixed_server(vec![(
        "/.well-known/openid-configuration",
        200,
        metadata(""),
    )]);
    for (issuer, needle) in [
        (
            only_plain,
            "does not advertise the S256 code_challenge_method",
        ),
        (none, "does not advertise code_challenge_methods_supported"),
    ] {
        let out = run(&["login", &issuer, "--client-id", "spa", "--no-browser"]);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(
            out.stderr.starts_with("error: ") && out.stderr.contains(needle),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains("open this URL"), "{}", out.stderr);
    }
}

#[test]
fn usage_and_network_errors_exit_2() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    for (args, needle) in [
        (vec!["login", "http://127.0.0.1:1"], "--client-id"),
        (
            vec!["login", "not a url", "--client-id", "spa"],
            "the issuer is not a URL",
        ),
        (
            vec!["login", "http://as.example", "--client-id", "spa"],
            "must use https",
        ),
        (vec!["login", &closed, "--client-id", "spa"], "failed"),
        (
            vec![
                "login",
                &closed,
                "--client-id",
                "spa",
                "--redirect-uri",
                "https://app.example/cb",
            ],
            "not a loopback URI",
        ),
    ] {
        let out = run(&args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, "");
        assert!(
            out.stderr.starts_with("error: ") && out.stderr.contains(needle),
            "{args:?}: {}",
            out.stderr
        );
    }
}
