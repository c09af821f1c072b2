//! Secrets never appear in Debug output or error messages.

use proofkey::{AuthorizeError, ChallengeMethod, ClientType, CodeChallenge, CodeVerifier, Policy};

#[path = "support/vectors.rs"]
mod vectors;
use vectors::RFC_VERIFIER as V;

#[test]
fn verifier_debug_is_redacted() {
    let v = CodeVerifier::parse(V).unwrap();
    assert_eq!(format!("{v:?}"), "CodeVerifier([REDACTED])");
    assert_eq!(format!("{v:#?}"), "CodeVerifier([REDACTED])");
    assert!(!format!("{:?}", Some(&v)).contains(V));
}

#[test]
fn plain_challenge_debug_is_redacted_and_s256_is_shown() {
    let v = CodeVerifier::parse(V).unwrap();
    let plain = v.challenge_with(ChallengeMethod::Plain);
    let dbg = format!("{plain:?}");
    assert!(!dbg.contains(V) && !dbg.contains(&V[..10]), "{dbg}");
    assert!(dbg.contains("[REDACTED]") && dbg.contains("Plain"));
    let s256 = v.challenge();
    let dbg = format!("{s256:?}");
    assert!(dbg.contains(s256.as_str()) && !dbg.contains(V), "{dbg}");
    let bound = Policy::development()
        .authorize(ClientType::Public, Some(V), None)
        .unwrap();
    assert!(!format!("{bound:?}").contains(V));
}

#[test]
fn error_messages_never_contain_the_input() {
    let inputs = [
        format!("{V}\n"),
        format!("{V}{V}{V}{V}"), // too long
        "secret-but-short".to_string(),
        format!("{}!{}", &V[..20], &V[21..]),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN".to_string(),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM".to_string(),
    ];
    for input in &inputs {
        let mut messages = vec![];
        if let Err(e) = CodeVerifier::parse(input) {
            messages.push((e.to_string(), format!("{e:?}")));
        }
        for m in [ChallengeMethod::S256, ChallengeMethod::Plain] {
            if let Err(e) = CodeChallenge::parse(input, m) {
                messages.push((e.to_string(), format!("{e:?}")));
            }
            if let Err(e) = CodeVerifier::parse(V)
                .unwrap()
                .challenge_with(m)
                .verify(input)
            {
                messages.push((e.to_string(), format!("{e:?}")));
            }
        }
        let p = Policy::development();
        for m in [None, Some("S256"), Some("plain")] {
            if let Err(e) = p.authorize(ClientType::Public, Some(input), m) {
                messages.push((e.to_string(), format!("{e:?}")));
            }
        }
        if let Err(e) = p.token(
            ClientType::Public,
            Some(&CodeVerifier::parse(V).unwrap().challenge()),
            Some(input),
        ) {
            messages.push((e.to_string(), format!("{e:?}")));
        }
        assert!(!messages.is_empty());
        for (display, debug) in messages {
            for window in input.as_bytes().windows(8) {
                let w = std::str::from_utf8(window).unwrap();
                assert!(!display.contains(w), "{display:?} leaks {w:?}");
                assert!(!debug.contains(w), "{debug:?} leaks {w:?}");
            }
        }
    }
    assert!(!AuthorizeError::UnsupportedMethod.to_string().is_empty());
}
