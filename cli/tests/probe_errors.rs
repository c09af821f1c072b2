//! `pkce probe`'s setup, discovery and usage errors: exit 2, stdout
//! empty, one `error: ...` line on stderr.

mod support;

use support::{Demo, fixed_server, run};

#[test]
fn setup_errors_exit_2_with_one_line() {
    let demo = Demo::start(None);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["probe", &demo.issuer, "--auto", "--public-client", "nobody"],
            "a correct S256 authorization request for client nobody got no code",
        ),
        (
            vec![
                "probe",
                &demo.issuer,
                "--auto",
                "--confidential-client",
                "backend",
                "--client-secret",
                "wrong",
                "--confidential-redirect-uri",
                "https://backend.example.com/callback",
            ],
            "a correct S256 token request for client backend was refused: HTTP 401 invalid_client",
        ),
        (
            // Without --auto, a code can only come back to a loopback URI.
            vec![
                "probe",
                &demo.issuer,
                "--confidential-client",
                "backend",
                "--client-secret",
                "s",
                "--confidential-redirect-uri",
                "https://backend.example.com/callback",
            ],
            "is not a loopback URI",
        ),
        (
            vec![
                "probe",
                "http://192.0.2.1",
                "--auto",
                "--public-client",
                "spa",
            ],
            "must use https",
        ),
        (
            vec![
                "probe",
                "https://as.example/?x=1",
                "--auto",
                "--public-client",
                "spa",
            ],
            "query or fragment",
        ),
    ];
    for (args, needle) in cases {
        let out = run(&args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(
            out.stderr.starts_with("error: "),
            "{args:?}: {}",
            out.stderr
        );
        assert_eq!(out.stderr.lines().count(), 1, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(needle), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn discovery_errors_exit_2() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let other_origin = fixed_server(vec![(
        "/.well-known/oauth-authorization-server",
        200,
        r#"{"issuer":"{ISSUER}","authorization_endpoint":"{ISSUER}/authorize","token_endpoint":"https://elsewhere.example/token","code_challenge_methods_supported":["S256"]}"#.to_owned(),
    )]);
    let no_metadata = fixed_server(vec![]);
    let wrong_issuer = Demo::start_named(None, |port| format!("http://localhost:{port}"));
    let cases = [
        (closed.as_str(), "request to http://127.0.0.1:"),
        (
            other_origin.as_str(),
            "token_endpoint https://elsewhere.example/token is not on the issuer's origin",
        ),
        (no_metadata.as_str(), "no authorization server metadata at"),
        (wrong_issuer.issuer.as_str(), "RFC 8414 §3.3"),
        (
            wrong_issuer.issuer.as_str(),
            "the server calls itself localhost: run pkce with the issuer http://localhost:",
        ),
    ];
    for (issuer, needle) in cases {
        let out = run(&["probe", issuer, "--auto", "--public-client", "spa"]);
        assert_eq!(out.code, 2, "{issuer}: {}", out.stderr);
        assert!(
            out.stderr.starts_with("error: ") && out.stderr.contains(needle),
            "{issuer}: {}",
            out.stderr
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["probe", "http://127.0.0.1:1"],
        vec![
            "probe",
            "http://127.0.0.1:1",
            "--confidential-client",
            "backend",
        ],
        vec![
            "probe",
            "http://127.0.0.1:1",
            "--public-client",
            "spa",
            "--client-secret",
            "s",
        ],
        vec![
            "probe",
            "http://127.0.0.1:1",
            "--public-client",
            "spa",
            "--auto",
            "--no-browser",
        ],
        vec!["probe", "--public-client", "spa"],
        vec![
            "probe",
            "http://127.0.0.1:1",
            "--public-client",
            "spa",
            "--timeout",
            "soon",
        ],
    ] {
        let out = run(&args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(
            out.stderr.starts_with("error: "),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn probe_help_shows_two_examples_and_the_exit_codes() {
    let out = run(&["probe", "--help"]);
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout.matches("\n  pkce probe ").count(),
        2,
        "{}",
        out.stdout
    );
    for needle in [
        "--fail-on",
        "--only",
        "--skip",
        "--param",
        "--client-auth",
        "--authorization-endpoint",
        "3 no failure",
    ] {
        assert!(out.stdout.contains(needle), "{needle}: {}", out.stdout);
    }
}
