//! `CodeChallenge::parse` for both methods against independent RFC 7636
//! §4.2 predicates, and round trips through `as_str`.
#![no_main]

mod common;

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{assert_not_leaked, expected_challenge_error, is_challenge, is_s256_challenge};
use libfuzzer_sys::fuzz_target;
use proofkey::{ChallengeMethod, CodeChallenge};

fuzz_target!(|data: &[u8]| {
    let s: Cow<'_, str> = String::from_utf8_lossy(data);
    let s: &str = &s;

    // A second, independent S256 oracle: a strict base64url decoder yields
    // exactly 32 octets that re-encode to the same text.
    let decoded = URL_SAFE_NO_PAD.decode(s).ok().filter(|d| d.len() == 32);
    let base64_says = decoded.is_some_and(|d| URL_SAFE_NO_PAD.encode(d) == s);
    assert_eq!(
        is_s256_challenge(s.as_bytes()),
        base64_says,
        "S256 predicates disagree on {s:?}"
    );

    for method in [ChallengeMethod::S256, ChallengeMethod::Plain] {
        let expected = expected_challenge_error(method, s.as_bytes());
        assert_eq!(expected.is_none(), is_challenge(method, s.as_bytes()));
        match CodeChallenge::parse(s, method) {
            Ok(c) => {
                assert_eq!(expected, None, "{method} accepted {s:?}");
                assert_eq!(c.method(), method);
                assert_eq!(c.as_str(), s);
                let again = CodeChallenge::parse(c.as_str(), method).expect("re-parse of as_str");
                assert_eq!(again.as_str(), s);
                assert!(again == c, "re-parsed challenge differs");
                let clone = c.clone();
                assert!(clone == c && clone.as_str() == s);
                // The same text under the other method is a different challenge.
                let other = match method {
                    ChallengeMethod::S256 => ChallengeMethod::Plain,
                    ChallengeMethod::Plain => ChallengeMethod::S256,
                };
                if let Ok(o) = CodeChallenge::parse(s, other) {
                    assert!(o != c, "S256 and plain challenges compare equal");
                }
                let debug = format!("{c:?}");
                match method {
                    // A plain challenge is the verifier: never printed.
                    ChallengeMethod::Plain => assert!(!debug.contains(s), "plain Debug leaks"),
                    ChallengeMethod::S256 => assert!(debug.contains(s)),
                }
            }
            Err(e) => {
                assert_eq!(Some(e), expected, "{method}: wrong error for {s:?}");
                assert_not_leaked(&e.to_string(), s, "Error Display");
                assert_not_leaked(&format!("{e:?}"), s, "Error Debug");
            }
        }
    }
});
