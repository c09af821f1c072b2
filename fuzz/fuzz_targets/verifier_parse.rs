//! `CodeVerifier::parse` against an independent RFC 7636 §4.1 predicate.
#![no_main]

mod common;

use std::borrow::Cow;

use common::{assert_not_leaked, expected_verifier_error, transform};
use libfuzzer_sys::fuzz_target;
use proofkey::{ChallengeMethod, CodeVerifier};

fuzz_target!(|data: &[u8]| {
    // Invalid UTF-8 becomes U+FFFD: non-ASCII input is exercised either way.
    let s: Cow<'_, str> = String::from_utf8_lossy(data);
    let s: &str = &s;
    let expected = expected_verifier_error(s.as_bytes());
    match CodeVerifier::parse(s) {
        Ok(v) => {
            assert_eq!(expected, None, "accepted an invalid verifier {s:?}");
            assert_eq!(v.secret(), s);
            let debug = format!("{v:?}");
            assert_eq!(debug, "CodeVerifier([REDACTED])");
            assert!(!debug.contains(s));
            // Its challenges are the RFC 7636 §4.2 transforms.
            let s256 = v.challenge();
            assert_eq!(s256.method(), ChallengeMethod::S256);
            assert_eq!(
                s256.as_str().as_bytes(),
                transform(ChallengeMethod::S256, s.as_bytes())
            );
            let plain = v.challenge_with(ChallengeMethod::Plain);
            assert_eq!(plain.method(), ChallengeMethod::Plain);
            assert_eq!(plain.as_str(), s);
            assert!(
                !format!("{plain:?}").contains(s),
                "plain challenge Debug leaks"
            );
            assert_eq!(s256.verify(s), Ok(()));
            assert_eq!(plain.verify(s), Ok(()));
            // FromStr and TryFrom agree with parse.
            assert_eq!(
                s.parse::<CodeVerifier>().map(|v| v.secret().len()),
                Ok(s.len())
            );
            assert_eq!(
                CodeVerifier::try_from(s).map(|v| v.secret().len()),
                Ok(s.len())
            );
        }
        Err(e) => {
            assert_eq!(Some(e), expected, "wrong error for {s:?}");
            assert!(s.parse::<CodeVerifier>().is_err_and(|e2| e2 == e));
            assert!(CodeVerifier::try_from(s).is_err_and(|e2| e2 == e));
            assert_not_leaked(&e.to_string(), s, "Error Display");
            assert_not_leaked(&format!("{e:?}"), s, "Error Debug");
        }
    }
});
