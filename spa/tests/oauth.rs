//! The app's OAuth 2 steps on the host: what the browser glue sends and
//! checks, with real flows from a seeded RNG.
#![cfg(not(target_arch = "wasm32"))]

use proofkey::{ChallengeMethod, ClientFlow, CodeChallenge, FlowError, StoredFlow};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use spa::SpaError;
use spa::oauth::{
    Callback, Metadata, authorization_url, is_stale_entry, read_token_response, redirect_uri,
    storage_key, token_request_body,
};

const ISSUER: &str = "http://127.0.0.1:8080";
const NOW: u64 = 1_700_000_000;

/// The demo server's metadata (demo/src/lib.rs), production policy.
fn demo_metadata(methods: &str) -> String {
    format!(
        r#"{{"issuer":"{ISSUER}","authorization_endpoint":"{ISSUER}/authorize",
        "token_endpoint":"{ISSUER}/token","response_types_supported":["code"],
        {methods}"authorization_response_iss_parameter_supported":true}}"#
    )
}

fn meta() -> Metadata {
    Metadata::parse(
        &demo_metadata(r#""code_challenge_methods_supported":["S256"],"#),
        ISSUER,
    )
    .expect("the demo's metadata")
}

/// A flow as the app starts it: bound to the demo's issuer.
fn new_flow(seed: u8) -> ClientFlow {
    ClientFlow::from_rng(&mut ChaCha20Rng::from_seed([seed; 32]), NOW)
        .and_then(|flow| flow.for_issuer(ISSUER, None))
        .expect("flow")
}

fn pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

#[test]
fn metadata_of_the_demo_is_read() {
    assert_eq!(
        meta(),
        Metadata {
            issuer: ISSUER.to_owned(),
            authorization_endpoint: format!("{ISSUER}/authorize"),
            token_endpoint: format!("{ISSUER}/token"),
            iss_parameter_supported: true,
        }
    );
}

#[test]
fn metadata_without_s256_is_refused_never_plain() {
    for (methods, expected) in [
        ("", FlowError::MethodsNotAdvertised),
        (
            r#""code_challenge_methods_supported":["plain"],"#,
            FlowError::S256NotAdvertised,
        ),
        (
            r#""code_challenge_methods_supported":[],"#,
            FlowError::S256NotAdvertised,
        ),
        (
            r#""code_challenge_methods_supported":["s256"],"#,
            FlowError::S256NotAdvertised,
        ),
    ] {
        assert_eq!(
            Metadata::parse(&demo_metadata(methods), ISSUER),
            Err(SpaError::Flow(expected)),
            "{methods}"
        );
    }
    // plain listed first: S256 is still the only method used.
    let both = demo_metadata(r#""code_challenge_methods_supported":["plain","S256"],"#);
    assert!(Metadata::parse(&both, ISSUER).is_ok());
}

#[test]
fn metadata_of_another_issuer_or_malformed_is_refused() {
    let good = demo_metadata(r#""code_challenge_methods_supported":["S256"],"#);
    for expected in [
        "http://localhost:8080",
        "http://127.0.0.1:8080/",
        "http://127.0.0.1:8081",
    ] {
        assert!(matches!(
            Metadata::parse(&good, expected),
            Err(SpaError::Metadata(_))
        ));
    }
    for bad in [
        "not json",
        "[]",
        r#"{"issuer":"http://127.0.0.1:8080"}"#,
        &demo_metadata(r#""code_challenge_methods_supported":"S256","#),
        &demo_metadata(r#""code_challenge_methods_supported":[256],"#),
    ] {
        assert!(
            matches!(Metadata::parse(bad, ISSUER), Err(SpaError::Metadata(_))),
            "{bad}"
        );
    }
}

#[test]
fn authorization_url_carries_the_challenge_and_state_never_the_verifier() {
    let flow = new_flow(1);
    let url = authorization_url(&meta(), &redirect_uri(ISSUER), &flow);
    let (endpoint, query) = url.split_once('?').expect("a query");
    assert_eq!(endpoint, format!("{ISSUER}/authorize"));
    let expected: Vec<(String, String)> = [
        ("response_type", "code"),
        ("client_id", "spa"),
        ("redirect_uri", "http://127.0.0.1:8080/spa/callback.html"),
        ("code_challenge", flow.challenge().as_str()),
        ("code_challenge_method", "S256"),
        ("state", flow.state()),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(pairs(query), expected);
    assert!(!url.contains(flow.verifier().secret()));

    // An endpoint's own query is kept (RFC 6749 §3.1).
    let mut with_query = meta();
    with_query.authorization_endpoint = format!("{ISSUER}/authorize?tenant=a");
    let url = authorization_url(&with_query, &redirect_uri(ISSUER), &flow);
    assert!(url.starts_with("http://127.0.0.1:8080/authorize?tenant=a&response_type=code&"));
}

#[test]
fn callback_parameters_are_read_once_each() {
    let cb = Callback::parse("?code=c1&state=s1&iss=http%3A%2F%2F127.0.0.1%3A8080&other=x")
        .expect("parse");
    assert_eq!(cb.code.as_deref(), Some("c1"));
    assert_eq!(cb.state.as_deref(), Some("s1"));
    assert_eq!(cb.iss.as_deref(), Some(ISSUER));
    assert_eq!(Callback::parse("code=&state=s").expect("parse").code, None);
    assert!(Callback::parse("").expect("parse").is_empty());
    for (query, name) in [
        ("code=a&code=b&state=s", "code"),
        ("code=a&state=s&state=t", "state"),
        ("iss=a&iss=b", "iss"),
        ("error=a&error=b", "error"),
    ] {
        assert_eq!(Callback::parse(query), Err(SpaError::Repeated(name)));
    }
}

fn response(flow: &ClientFlow, extra: &str) -> Callback {
    let iss = form_urlencoded::byte_serialize(ISSUER.as_bytes()).collect::<String>();
    Callback::parse(&format!("state={}&iss={iss}{extra}", flow.state())).expect("parse")
}

#[test]
fn callback_completes_with_the_stored_flow() {
    let flow = new_flow(2);
    let stored = flow.to_stored();
    let cb = response(&flow, "&code=the-code");
    let (resumed, code) = cb
        .complete(Some(stored.secret()), &meta(), NOW + 30)
        .expect("complete");
    assert_eq!(code, "the-code");
    assert_eq!(resumed.verifier().secret(), flow.verifier().secret());

    let body = token_request_body(code, &redirect_uri(ISSUER), &resumed);
    let form = pairs(&body);
    let names: Vec<&str> = form.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "grant_type",
            "code",
            "redirect_uri",
            "client_id",
            "code_verifier"
        ]
    );
    assert_eq!(form[0].1, "authorization_code");
    assert_eq!(form[2].1, redirect_uri(ISSUER));
    assert_eq!(form[3].1, "spa");
    let challenge =
        CodeChallenge::parse(flow.challenge().as_str(), ChallengeMethod::S256).expect("challenge");
    assert!(challenge.verify(&form[4].1).is_ok());
}

#[test]
fn callback_refusals_come_in_order() {
    let flow = new_flow(3);
    let other = new_flow(4);
    let stored = flow.to_stored();
    let meta = meta();
    let s = Some(stored.secret());
    let err = |cb: Callback, stored: Option<&str>, now| cb.complete(stored, &meta, now).err();

    assert_eq!(err(Callback::default(), s, NOW), Some(SpaError::NoResponse));
    assert_eq!(
        err(Callback::parse("code=c").expect("parse"), s, NOW),
        Some(SpaError::MissingState)
    );
    // No entry for this state: consumed by an earlier callback, or another tab's.
    assert_eq!(
        err(response(&flow, "&code=c"), None, NOW),
        Some(SpaError::NoPendingLogin)
    );
    assert_eq!(
        err(response(&other, "&code=c"), s, NOW),
        Some(SpaError::Flow(FlowError::StateMismatch))
    );
    assert_eq!(
        err(response(&flow, "&code=c"), s, NOW + 601),
        Some(SpaError::Flow(FlowError::Expired))
    );
    assert_eq!(
        err(response(&flow, "&code=c"), Some("v1.garbage"), NOW),
        Some(SpaError::Flow(FlowError::Malformed))
    );
    // RFC 9207: a wrong or missing iss, before the error or the code is trusted.
    let wrong_iss = Callback::parse(&format!(
        "state={}&code=c&iss=http://evil.example",
        flow.state()
    ))
    .expect("parse");
    assert_eq!(
        err(wrong_iss, s, NOW),
        Some(SpaError::Flow(FlowError::IssuerMismatch))
    );
    // A flow recorded for another issuer: the metadata's own iss does not
    // pass; an unbound flow has no record to check against.
    for (issuer, error) in [
        (Some("http://127.0.0.1:9"), FlowError::IssuerMismatch),
        (None, FlowError::Unbound),
    ] {
        let started =
            ClientFlow::from_rng(&mut ChaCha20Rng::from_seed([5; 32]), NOW).expect("flow");
        let started = match issuer {
            Some(issuer) => started.for_issuer(issuer, None).expect("bound"),
            None => started,
        };
        let stored = started.to_stored();
        assert_eq!(
            err(response(&started, "&code=c"), Some(stored.secret()), NOW),
            Some(SpaError::Flow(error))
        );
    }
    let no_iss =
        Callback::parse(&format!("state={}&error=access_denied", flow.state())).expect("parse");
    assert_eq!(
        err(no_iss, s, NOW),
        Some(SpaError::Flow(FlowError::MissingIssuer))
    );
    assert_eq!(
        err(
            response(&flow, "&error=access_denied&error_description=no"),
            s,
            NOW
        ),
        Some(SpaError::Authorization {
            error: "access_denied".to_owned(),
            description: Some("no".to_owned())
        })
    );
    assert_eq!(
        err(response(&flow, ""), s, NOW),
        Some(SpaError::MissingCode)
    );
}

#[test]
fn token_responses_are_read() {
    let ok = r#"{"access_token":"t","token_type":"Bearer","expires_in":3600}"#;
    let shown = read_token_response(200, ok).expect("token");
    assert!(shown.contains("\"access_token\": \"t\""));
    assert_eq!(
        read_token_response(
            400,
            r#"{"error":"invalid_grant","error_description":"gone"}"#
        ),
        Err(SpaError::Token {
            status: 400,
            error: "invalid_grant".to_owned(),
            description: Some("gone".to_owned())
        })
    );
    let err = read_token_response(502, "<html>").expect_err("502");
    assert_eq!(err.kind(), "unknown");
    assert!(matches!(
        read_token_response(200, r#"{"token_type":"Bearer"}"#),
        Err(SpaError::BadTokenResponse(_))
    ));
    assert!(matches!(
        read_token_response(200, "nope"),
        Err(SpaError::BadTokenResponse(_))
    ));
}

#[test]
fn stale_entries_are_only_this_apps_dead_flows() {
    let flow = new_flow(5);
    let stored = flow.to_stored();
    let key = storage_key(flow.state());
    assert_eq!(key, format!("proofkey.flow.{}", flow.state()));
    assert!(!is_stale_entry(&key, stored.secret(), NOW + 600));
    assert!(is_stale_entry(&key, stored.secret(), NOW + 601));
    assert!(is_stale_entry(&key, "v1.garbage", NOW));
    // Filed under another state: it can never complete.
    assert!(is_stale_entry(
        &storage_key(new_flow(6).state()),
        stored.secret(),
        NOW
    ));
    // Other keys are not this app's.
    assert!(!is_stale_entry("theme", "dark", NOW));
}

#[test]
fn error_messages_name_no_secret() {
    let flow = new_flow(7);
    let stored: StoredFlow = flow.to_stored();
    let errors = [
        response(&flow, "&code=the-code")
            .complete(Some(stored.secret()), &meta(), NOW + 601)
            .err(),
        response(&flow, "&code=the-code")
            .complete(None, &meta(), NOW)
            .err(),
    ];
    for e in errors.into_iter().flatten() {
        let text = format!("{e} {e:?} {}", e.kind());
        for secret in [flow.verifier().secret(), flow.state(), "the-code"] {
            assert!(!text.contains(secret), "{text}");
        }
    }
}
