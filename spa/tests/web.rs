//! proofkey inside headless Chromium (`wasm-bindgen-test-runner`, run by
//! `.ci/browser.sh`): the verifier from Web Crypto through getrandom's
//! `wasm_js` backend, every independent S256 vector, and `ClientFlow`
//! round trips through the browser's own `sessionStorage`.
#![cfg(target_arch = "wasm32")]

use proofkey::{ChallengeMethod, ClientFlow, CodeChallenge, CodeVerifier, FlowError};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// tests/data/s256.tsv: 256 verifiers and their S256 challenges, computed
/// with Python's hashlib, independently of this crate.
const VECTORS: &str = include_str!("../../tests/data/s256.tsv");

fn now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

fn session_storage() -> web_sys::Storage {
    web_sys::window()
        .expect("a window: run_in_browser")
        .session_storage()
        .expect("sessionStorage")
        .expect("sessionStorage")
}

#[wasm_bindgen_test]
fn random_verifier_comes_from_web_crypto() {
    // getrandom's wasm_js backend calls crypto.getRandomValues: this test
    // runs only where that exists.
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).expect("crypto");
    assert!(crypto.is_object(), "globalThis.crypto is Web Crypto");

    let mut seen = Vec::new();
    for _ in 0..64 {
        let v = CodeVerifier::random().expect("Web Crypto works");
        let secret = v.secret().to_owned();
        assert_eq!(secret.len(), 43);
        assert!(
            secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "base64url"
        );
        assert!(v.challenge().verify(&secret).is_ok());
        assert!(!seen.contains(&secret), "64 draws of 256 bits never repeat");
        seen.push(secret);
    }
}

#[wasm_bindgen_test]
fn every_independent_s256_vector() {
    let mut checked = 0;
    for line in VECTORS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (verifier, expected) = line.split_once('\t').expect("two columns");
        let v = CodeVerifier::parse(verifier).expect("a valid verifier");
        assert_eq!(v.challenge().as_str(), expected, "{verifier}");
        let c = CodeChallenge::parse(expected, ChallengeMethod::S256).expect("a valid challenge");
        assert!(c.verify(verifier).is_ok());
        checked += 1;
    }
    assert_eq!(checked, 256);
}

#[wasm_bindgen_test]
fn a_changed_verifier_never_matches() {
    let line = VECTORS
        .lines()
        .find(|l| !l.starts_with('#'))
        .expect("a vector");
    let (verifier, challenge) = line.split_once('\t').expect("two columns");
    let c = CodeChallenge::parse(challenge, ChallengeMethod::S256).expect("challenge");
    let mut changed = verifier.as_bytes().to_vec();
    changed[0] = if changed[0] == b'a' { b'b' } else { b'a' };
    let changed = String::from_utf8(changed).expect("ascii");
    assert!(c.verify(&changed).is_err());
    // plain would accept the challenge as the verifier; S256 never does.
    assert!(c.verify(challenge).is_err());
}

#[wasm_bindgen_test]
fn client_flow_round_trips_through_session_storage() {
    let storage = session_storage();
    let start = now();
    let flow = ClientFlow::random(start).expect("Web Crypto works");
    let pairs = flow.authorization_pairs();
    assert_eq!(pairs[1], ("code_challenge_method", "S256"));
    let key = format!("proofkey.flow.{}", flow.state());
    storage
        .set_item(&key, flow.to_stored().secret())
        .expect("setItem");

    let text = storage.get_item(&key).expect("getItem").expect("stored");
    storage.remove_item(&key).expect("removeItem");
    assert_eq!(storage.get_item(&key).expect("getItem"), None);

    let back = ClientFlow::resume(&text, flow.state(), start + 30).expect("resume");
    assert_eq!(back.verifier().secret(), flow.verifier().secret());
    let [(name, verifier)] = back.token_pairs();
    assert_eq!(name, "code_verifier");
    assert!(flow.challenge().verify(verifier).is_ok());
    assert_eq!(
        back.check_issuer(
            "http://127.0.0.1:8080",
            Some("http://127.0.0.1:8080"),
            proofkey::IssParameter::Advertised
        ),
        Ok(())
    );
}

#[wasm_bindgen_test]
fn client_flow_refuses_the_wrong_state_age_or_issuer() {
    let start = now();
    let flow = ClientFlow::random(start).expect("flow");
    let other = ClientFlow::random(start).expect("flow");
    assert_ne!(flow.state(), other.state());
    assert_ne!(flow.verifier().secret(), other.verifier().secret());
    let stored = flow.to_stored();
    let err = |state, at| ClientFlow::resume(stored.secret(), state, at).err();
    assert_eq!(err(other.state(), start), Some(FlowError::StateMismatch));
    assert_eq!(
        err(flow.state(), start + ClientFlow::DEFAULT_MAX_AGE_SECS + 1),
        Some(FlowError::Expired)
    );
    assert_eq!(
        err(flow.state(), start + ClientFlow::DEFAULT_MAX_AGE_SECS),
        None
    );
    assert_eq!(
        ClientFlow::resume("v1.garbage", flow.state(), start).err(),
        Some(FlowError::Malformed)
    );
    assert_eq!(
        flow.check_issuer(
            "http://127.0.0.1:8080",
            Some("http://evil.example"),
            proofkey::IssParameter::Advertised
        ),
        Err(FlowError::IssuerMismatch)
    );
    assert_eq!(
        flow.check_issuer(
            "http://127.0.0.1:8080",
            None,
            proofkey::IssParameter::Advertised
        ),
        Err(FlowError::MissingIssuer)
    );
}

#[wasm_bindgen_test]
fn two_pending_flows_in_one_tab_complete_in_reverse_order() {
    let storage = session_storage();
    let start = now();
    let first = ClientFlow::random(start).expect("flow");
    let second = ClientFlow::random(start).expect("flow");
    for f in [&first, &second] {
        storage
            .set_item(
                &format!("proofkey.flow.{}", f.state()),
                f.to_stored().secret(),
            )
            .expect("setItem");
    }
    // The second callback, then the first: each finds its own entry.
    for f in [&second, &first] {
        let key = format!("proofkey.flow.{}", f.state());
        let text = storage
            .get_item(&key)
            .expect("getItem")
            .expect("its own entry");
        storage.remove_item(&key).expect("removeItem");
        let back = ClientFlow::resume(&text, f.state(), start + 1).expect("resume");
        assert!(f.challenge().verify(back.verifier().secret()).is_ok());
    }
    // A replayed callback finds nothing.
    let key = format!("proofkey.flow.{}", first.state());
    assert_eq!(storage.get_item(&key).expect("getItem"), None);
}

#[wasm_bindgen_test]
fn negotiation_never_falls_back_to_plain() {
    assert_eq!(
        ChallengeMethod::negotiate(Some(["plain", "S256"])),
        Ok(ChallengeMethod::S256)
    );
    assert_eq!(
        ChallengeMethod::negotiate(Some(["plain"])),
        Err(FlowError::S256NotAdvertised)
    );
    assert_eq!(
        ChallengeMethod::negotiate(None::<[&str; 0]>),
        Err(FlowError::MethodsNotAdvertised)
    );
}

#[wasm_bindgen_test]
fn the_apps_metadata_check_refuses_a_server_without_s256() {
    let doc = r#"{"issuer":"http://127.0.0.1:1","authorization_endpoint":"http://127.0.0.1:1/authorize",
        "token_endpoint":"http://127.0.0.1:1/token","code_challenge_methods_supported":["plain"]}"#;
    assert_eq!(
        spa::oauth::Metadata::parse(doc, "http://127.0.0.1:1"),
        Err(spa::SpaError::Flow(FlowError::S256NotAdvertised))
    );
}
