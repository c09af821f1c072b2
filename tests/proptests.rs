//! Property tests: round-trips, verify's exactness, and the token rule.

use proofkey::{
    ChallengeMethod, ClientType, CodeChallenge, CodeVerifier, Error, Policy, TokenError,
};
use proptest::prelude::*;
use rand::{rand_core::SeedableRng, rngs::ChaCha20Rng};

const UNRESERVED: &str = "[A-Za-z0-9._~-]";

fn verifier_string() -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{UNRESERVED}{{43,128}}")).unwrap()
}

fn method() -> impl Strategy<Value = ChallengeMethod> {
    prop_oneof![Just(ChallengeMethod::S256), Just(ChallengeMethod::Plain)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generate_then_parse_round_trips(seed: [u8; 32], len in 43usize..=128) {
        let mut rng = ChaCha20Rng::from_seed(seed);
        let v = CodeVerifier::from_rng_with_len(&mut rng, len).unwrap();
        prop_assert_eq!(v.secret().len(), len);
        let parsed = CodeVerifier::parse(v.secret()).unwrap();
        prop_assert_eq!(parsed.secret(), v.secret());
        let v43 = CodeVerifier::from_rng(&mut rng).unwrap();
        let reparsed = CodeVerifier::parse(v43.secret()).unwrap();
        prop_assert_eq!(reparsed.secret(), v43.secret());
        prop_assert_eq!(CodeVerifier::from_random_bytes(&seed).secret().len(), 43);
    }

    #[test]
    fn parse_as_str_round_trips_for_both_methods(s in verifier_string(), m in method()) {
        let v = CodeVerifier::parse(&s).unwrap();
        let derived = v.challenge_with(m);
        let reparsed = CodeChallenge::parse(derived.as_str(), m).unwrap();
        prop_assert_eq!(reparsed.as_str(), derived.as_str());
        prop_assert_eq!(reparsed.method(), m);
        prop_assert_eq!(&reparsed, &derived);
        prop_assert_eq!(reparsed.verify(&s), Ok(()));
    }

    #[test]
    fn verify_rejects_every_single_character_change(s in verifier_string(), m in method(), pos: prop::sample::Index, repl in UNRESERVED) {
        let challenge = CodeVerifier::parse(&s).unwrap().challenge_with(m);
        prop_assert_eq!(challenge.verify(&s), Ok(()));
        let i = pos.index(s.len());
        let mut changed = s.clone().into_bytes();
        prop_assume!(changed[i] != repl.as_bytes()[0]);
        changed[i] = repl.as_bytes()[0];
        let changed = String::from_utf8(changed).unwrap();
        prop_assert_eq!(challenge.verify(&changed), Err(Error::Mismatch));
        // Dropping or adding a character is a mismatch or a length error, never a match.
        prop_assert!(challenge.verify(&s[..s.len() - 1]).is_err());
        let longer = format!("{s}A");
        prop_assert!(challenge.verify(&longer).is_err());
    }

    #[test]
    fn arbitrary_input_never_panics_and_errors_carry_no_input(s in ".{0,200}", m in method()) {
        let v = CodeVerifier::parse(&s);
        let c = CodeChallenge::parse(&s, m);
        if let Err(e) = &v {
            if s.len() >= 4 { prop_assert!(!e.to_string().contains(&s)); }
        }
        if let Err(e) = &c {
            if s.len() >= 4 { prop_assert!(!e.to_string().contains(&s)); }
        }
        let challenge = CodeVerifier::parse(&"A".repeat(43)).unwrap().challenge();
        prop_assert_eq!(challenge.verify(&s).is_ok(), s == "A".repeat(43));
    }

    /// `token` succeeds iff (bound, verifier) is a matching pair, or both are
    /// absent for a client that may skip PKCE.
    #[test]
    fn token_succeeds_iff_matching_pair_or_both_absent(
        bound_v in proptest::option::of(verifier_string()),
        presented in proptest::option::of(prop_oneof![verifier_string(), ".{0,50}"]),
        use_same in any::<bool>(),
        m in method(),
        public in any::<bool>(),
        req_conf in any::<bool>(),
        allow_plain in any::<bool>(),
    ) {
        let p = Policy::production().require_for_confidential(req_conf).allow_plain(allow_plain);
        let client = if public { ClientType::Public } else { ClientType::Confidential };
        let bound = bound_v.as_deref().map(|v| CodeVerifier::parse(v).unwrap().challenge_with(m));
        let presented = if use_same && bound_v.is_some() { bound_v.clone() } else { presented };
        let presented = presented.filter(|s| !s.is_empty());
        let expected_ok = match (&bound_v, &presented) {
            (Some(b), Some(v)) => b == v && p.allows(m),
            (None, None) => !p.requires_pkce(client),
            _ => false,
        };
        let got = p.token(client, bound.as_ref(), presented.as_deref());
        prop_assert_eq!(got.is_ok(), expected_ok, "{:?}", got);
        if let Err(e) = got {
            prop_assert!(e == TokenError::RepeatedVerifier || e.error_code() == "invalid_grant");
        }
    }
}
