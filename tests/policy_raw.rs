//! `Policy::authorize_query` and `Policy::token_form` take the request as
//! received. Their answer is `authorize_params` / `token_params` over the
//! pairs of a real form parser (`form_urlencoded`, the WHATWG algorithm),
//! for any query built from PKCE names and values, encoded or not.

use proofkey::{AuthorizeError, ClientType, Policy, TokenError};
use proptest::prelude::*;

#[path = "support/policies.rs"]
mod policies;
#[path = "support/vectors.rs"]
mod vectors;
use policies::{CLIENTS, plain, policies, s256};
use vectors::{RFC_CHALLENGE as C, RFC_VERIFIER as V};

// The "done when": a repeated code_challenge, as a raw string.
#[test]
fn a_repeated_challenge_in_the_raw_query_is_refused() {
    let p = Policy::production();
    let query = format!("response_type=code&code_challenge={C}&code_challenge_method=S256");
    assert!(p.authorize_query(ClientType::Public, &query).is_ok());
    let twice = format!("{query}&code_challenge={C}");
    let err = p.authorize_query(ClientType::Public, &twice).unwrap_err();
    assert_eq!(err, AuthorizeError::RepeatedChallenge);
    assert_eq!(err.error_code(), "invalid_request");
    // Encoded names are the same parameter (a map keyed on raw names would not see it).
    let hidden = format!("{query}&code%5fchallenge={C}");
    assert_eq!(
        p.authorize_query(ClientType::Public, &hidden),
        Err(AuthorizeError::RepeatedChallenge)
    );
    // A leading `?` does not hide the first parameter.
    let leading = format!("?code_challenge={C}&code_challenge={C}");
    assert_eq!(
        p.authorize_query(ClientType::Confidential, &leading),
        Err(AuthorizeError::RepeatedChallenge)
    );
}

#[test]
fn the_token_form_reads_encoded_and_repeated_verifiers() {
    let p = Policy::production();
    let c = s256();
    let ok = format!("grant_type=authorization_code&code=x&code_verifier={V}");
    assert_eq!(p.token_form(ClientType::Public, Some(&c), &ok), Ok(()));
    // every character escaped: still the verifier
    let escaped: String = V.bytes().map(|b| format!("%{b:02X}")).collect();
    let body = format!("code=x&code_verifier={escaped}");
    assert_eq!(p.token_form(ClientType::Public, Some(&c), &body), Ok(()));
    let twice = format!("{ok}&code%5Fverifier={V}");
    assert_eq!(
        p.token_form(ClientType::Public, Some(&c), &twice),
        Err(TokenError::RepeatedVerifier)
    );
    // No verifier where one is bound: the RFC 7636 §4.6 refusal.
    assert_eq!(
        p.token_form(ClientType::Public, Some(&c), "code=x"),
        Err(TokenError::VerifierRequired)
    );
    // Decoding to more than 128 octets or to non-UTF-8: refused as malformed.
    let long = format!("code_verifier={}", "%41".repeat(129));
    let not_utf8 = format!("code_verifier={}%FF", &V[..42]);
    for body in [long, not_utf8] {
        let got = p.token_form(ClientType::Public, Some(&c), &body);
        assert!(
            matches!(got, Err(TokenError::MalformedVerifier(_))),
            "{body}: {got:?}"
        );
    }
}

/// Names: the PKCE ones, encoded variants, and others.
const NAMES: [&str; 9] = [
    "code_challenge",
    "code_challenge_method",
    "code_verifier",
    "code%5Fchallenge",
    "code_challenge%5fmethod",
    "%63ode_verifier",
    "code+challenge",
    "state",
    "",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(C.to_owned()),
        Just(V.to_owned()),
        Just("S256".to_owned()),
        Just("plain".to_owned()),
        Just("S%32%356".to_owned()),
        Just(String::new()),
        Just(format!("{}+", &V[..42])),
        Just(format!("%{}", &V[..42])),
        Just(format!("{}%7e", &V[..42])),
        Just("%zz".to_owned()),
        Just("%E2%82%AC".to_owned()),
        "[A-Za-z0-9._~%+=-]{0,140}",
    ]
}

fn query() -> impl Strategy<Value = String> {
    let pair = (0..NAMES.len(), value(), any::<bool>()).prop_map(|(n, v, eq)| {
        if eq || NAMES[n].is_empty() {
            format!("{}={v}", NAMES[n])
        } else {
            NAMES[n].to_owned()
        }
    });
    (prop::collection::vec(pair, 0..6), any::<bool>())
        .prop_map(|(pairs, amp)| pairs.join(if amp { "&" } else { "&&" }))
}

/// Whether any decoded PKCE value is too long or not UTF-8: there the raw
/// form is judged instead, and only the error's details may differ.
fn has_oversized_value(query: &str) -> bool {
    form_urlencoded::parse(query.as_bytes()).any(|(_, v)| v.len() > 128 || v.contains('\u{FFFD}'))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_raw_forms_answer_as_the_parsed_pairs(q in query()) {
        for (name, p) in policies() {
            for client in CLIENTS {
                let pairs = form_urlencoded::parse(q.as_bytes());
                let want = p.authorize_params(client, pairs);
                let got = p.authorize_query(client, &q);
                for bound in [None, Some(s256()), Some(plain())] {
                    let pairs = form_urlencoded::parse(q.as_bytes());
                    let want_t = p.token_params(client, bound.as_ref(), pairs);
                    let got_t = p.token_form(client, bound.as_ref(), &q);
                    if has_oversized_value(&q) {
                        prop_assert_eq!(got_t.is_ok(), want_t.is_ok(), "{} {:?}", name, q);
                    } else {
                        prop_assert_eq!(got_t, want_t, "{} {:?}", name, q);
                    }
                }
                if has_oversized_value(&q) {
                    prop_assert_eq!(got.is_ok(), want.is_ok(), "{} {:?}", name, q);
                } else {
                    prop_assert_eq!(got, want, "{} {:?}", name, q);
                }
            }
        }
    }
}
