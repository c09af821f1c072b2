//! The authorization endpoint's rules of `Policy`, one test per rule, over
//! every preset and builder combination (tests/support/policies.rs). The
//! token endpoint's are in tests/policy_token.rs.

use proofkey::{AuthorizeError, ChallengeMethod, ClientType, Error, MissingMethod, Policy};

#[path = "support/policies.rs"]
mod policies;
#[path = "support/vectors.rs"]
mod vectors;
use policies::{CLIENTS, cases, policies};
use vectors::{RFC_CHALLENGE as C, RFC_VERIFIER as V, verifier_of_len};

// An empty value counts as absent.
#[test]
fn authorize_treats_an_empty_value_as_absent() {
    for (name, p) in policies() {
        for client in CLIENTS {
            assert_eq!(
                p.authorize(client, Some(""), None),
                p.authorize(client, None, None),
                "{name} {client:?}"
            );
            assert_eq!(
                p.authorize(client, Some(""), Some("")),
                p.authorize(client, None, None),
                "{name}"
            );
            assert_eq!(
                p.authorize(client, None, Some("")),
                p.authorize(client, None, None),
                "{name}"
            );
            assert_eq!(
                p.authorize(client, Some(C), Some("")),
                p.authorize(client, Some(C), None),
                "{name}"
            );
        }
    }
}

// A method without a challenge is rejected.
#[test]
fn authorize_rejects_a_method_without_a_challenge() {
    for (name, p) in policies() {
        for client in CLIENTS {
            for m in ["S256", "plain", "bogus"] {
                let err = p.authorize(client, None, Some(m)).unwrap_err();
                assert_eq!(
                    err,
                    AuthorizeError::MethodWithoutChallenge,
                    "{name} {client:?} {m}"
                );
                assert_eq!(err.error_code(), "invalid_request");
            }
        }
    }
}

// No challenge: public rejected; confidential Ok(None) unless required.
#[test]
fn authorize_without_a_challenge_rejects_clients_that_must_use_pkce() {
    for (name, p) in policies() {
        let err = p.authorize(ClientType::Public, None, None).unwrap_err();
        assert_eq!(err, AuthorizeError::ChallengeRequired, "{name}");
        assert_eq!(err.description(), "code challenge required");
        let conf = p.authorize(ClientType::Confidential, None, None);
        if p.requires_pkce(ClientType::Confidential) {
            assert_eq!(
                conf.unwrap_err(),
                AuthorizeError::ChallengeRequired,
                "{name}"
            );
        } else {
            assert_eq!(conf, Ok(None), "{name}");
        }
    }
    assert_eq!(
        Policy::oauth21().authorize(ClientType::Confidential, None, None),
        Err(AuthorizeError::ChallengeRequired)
    );
    assert_eq!(
        Policy::production().authorize(ClientType::Confidential, None, None),
        Ok(None)
    );
}

// A missing method means what the policy's `MissingMethod` says,
// plain only where plain is allowed; otherwise the request is rejected.
#[test]
fn authorize_missing_method_follows_missing_method_and_plain_only_where_allowed() {
    let plain_only = verifier_of_len(64); // valid as plain, never as S256
    for case in cases() {
        let (name, p) = (&case.name, case.policy);
        let expected = case.method_when_missing();
        for client in CLIENTS {
            // C and V are each valid as S256 and as plain: the method decides.
            for value in [C, V] {
                let got = p.authorize(client, Some(value), None);
                match expected {
                    Some(method) => {
                        let c = got.unwrap().unwrap();
                        assert_eq!((c.method(), c.as_str()), (method, value), "{name}");
                        // The same binding as if the method had been sent.
                        let sent = p.authorize(client, Some(value), Some(method.as_str()));
                        assert_eq!(sent.unwrap(), Some(c), "{name}");
                    }
                    None => {
                        let err = got.unwrap_err();
                        assert_eq!(err, AuthorizeError::MethodRequired, "{name}");
                        assert_eq!(
                            err.description(),
                            "code_challenge_method required: use S256"
                        );
                    }
                }
            }
            let got = p.authorize(client, Some(&plain_only), None);
            match expected {
                Some(ChallengeMethod::Plain) => {
                    assert_eq!(got.unwrap().unwrap().as_str(), plain_only, "{name}");
                }
                Some(ChallengeMethod::S256) => assert_eq!(
                    got,
                    Err(AuthorizeError::MalformedChallenge(Error::ChallengeLength {
                        method: ChallengeMethod::S256,
                        len: 64
                    })),
                    "{name}"
                ),
                None => assert_eq!(got, Err(AuthorizeError::MethodRequired), "{name}"),
            }
        }
    }
    // Under development an S256-looking value without a method is a plain challenge,
    // which then only the value itself (not its preimage) satisfies.
    let c = Policy::development()
        .authorize(ClientType::Public, Some(C), None)
        .unwrap()
        .unwrap();
    assert_eq!(c.method(), ChallengeMethod::Plain);
    assert_eq!(c.verify(V), Err(Error::Mismatch));
    // Bound as S256, the client's verifier redeems it and the value itself does not.
    let c = Policy::development()
        .missing_method(MissingMethod::S256)
        .authorize(ClientType::Public, Some(C), None)
        .unwrap()
        .unwrap();
    assert_eq!(c.method(), ChallengeMethod::S256);
    assert_eq!((c.verify(V), c.verify(C)), (Ok(()), Err(Error::Mismatch)));
}
// Only exactly "S256" or "plain"; plain only where allowed.
#[test]
fn authorize_accepts_exactly_s256_or_plain_and_plain_only_where_allowed() {
    for (name, p) in policies() {
        for client in CLIENTS {
            for m in [
                "s256", "S-256", "SHA256", "Plain", "PLAIN", " S256", "S256 ", "none", "S512",
            ] {
                let err = p.authorize(client, Some(C), Some(m)).unwrap_err();
                assert_eq!(err, AuthorizeError::UnsupportedMethod, "{name} {m:?}");
                assert_eq!(err.description(), "transform algorithm not supported");
            }
            let s = p.authorize(client, Some(C), Some("S256")).unwrap().unwrap();
            assert_eq!((s.method(), s.as_str()), (ChallengeMethod::S256, C));
            let pl = p.authorize(client, Some(V), Some("plain"));
            if p.allows(ChallengeMethod::Plain) {
                assert_eq!(
                    pl.unwrap().unwrap().method(),
                    ChallengeMethod::Plain,
                    "{name}"
                );
            } else {
                assert_eq!(pl.unwrap_err(), AuthorizeError::MethodNotAllowed, "{name}");
            }
        }
    }
}

// A challenge malformed for its method is rejected at the first step.
#[test]
fn authorize_rejects_a_challenge_malformed_for_its_method() {
    let hex = "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3";
    let std_b64 = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM";
    let padded = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM=";
    let non_canonical = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN";
    for (name, p) in policies() {
        for client in CLIENTS {
            for (value, inner) in [
                (
                    hex,
                    Error::ChallengeLength {
                        method: ChallengeMethod::S256,
                        len: 64,
                    },
                ),
                (
                    std_b64,
                    Error::ChallengeCharset {
                        method: ChallengeMethod::S256,
                        position: 40,
                    },
                ),
                (
                    padded,
                    Error::ChallengeLength {
                        method: ChallengeMethod::S256,
                        len: 44,
                    },
                ),
                (non_canonical, Error::ChallengeNonCanonical),
                (
                    "x",
                    Error::ChallengeLength {
                        method: ChallengeMethod::S256,
                        len: 1,
                    },
                ),
            ] {
                let err = p.authorize(client, Some(value), Some("S256")).unwrap_err();
                assert_eq!(
                    err,
                    AuthorizeError::MalformedChallenge(inner),
                    "{name} {value}"
                );
                assert_eq!(err.error_code(), "invalid_request");
                assert!(err.description().starts_with("code_challenge for S256"));
            }
            if p.allows(ChallengeMethod::Plain) {
                let err = p
                    .authorize(client, Some("short"), Some("plain"))
                    .unwrap_err();
                let inner = Error::ChallengeLength {
                    method: ChallengeMethod::Plain,
                    len: 5,
                };
                assert_eq!(err, AuthorizeError::MalformedChallenge(inner), "{name}");
                assert!(err.description().starts_with("code_challenge for plain"));
                let err = p
                    .authorize(client, Some(&format!("{V}+")), Some("plain"))
                    .unwrap_err();
                let inner = Error::ChallengeCharset {
                    method: ChallengeMethod::Plain,
                    position: 43,
                };
                assert_eq!(err, AuthorizeError::MalformedChallenge(inner), "{name}");
            }
        }
    }
}

// A repeated PKCE parameter is rejected (the `_params` form).
#[test]
fn authorize_params_rejects_a_repeated_pkce_parameter() {
    for (name, p) in policies() {
        for client in CLIENTS {
            let twice = [
                ("code_challenge", C),
                ("code_challenge_method", "S256"),
                ("code_challenge", C),
            ];
            assert_eq!(
                p.authorize_params(client, twice),
                Err(AuthorizeError::RepeatedChallenge),
                "{name}"
            );
            let empty_twice = [
                ("code_challenge", ""),
                ("code_challenge", C),
                ("code_challenge_method", "S256"),
            ];
            assert_eq!(
                p.authorize_params(client, empty_twice),
                Err(AuthorizeError::RepeatedChallenge)
            );
            let method_twice = [
                ("code_challenge_method", "S256"),
                ("code_challenge", C),
                ("code_challenge_method", "S256"),
            ];
            assert_eq!(
                p.authorize_params(client, method_twice),
                Err(AuthorizeError::RepeatedMethod)
            );
            let err = p.authorize_params(client, method_twice).unwrap_err();
            assert_eq!(err.error_code(), "invalid_request");
            // Without repetition it is `authorize`, and other parameters are ignored.
            let once = [
                ("response_type", "code"),
                ("client_id", "spa"),
                ("code_challenge", C),
                ("state", "xyz"),
                ("code_challenge_method", "S256"),
                ("state", "repeated state is not PKCE's business"),
            ];
            assert_eq!(
                p.authorize_params(client, once),
                p.authorize(client, Some(C), Some("S256"))
            );
            assert_eq!(
                p.authorize_params(client, [("client_id", "x")]),
                p.authorize(client, None, None)
            );
            assert_eq!(
                p.authorize_params(client, [("code_challenge", "")]),
                p.authorize(client, None, None)
            );
            // Names are exact.
            assert_eq!(
                p.authorize_params(client, [("Code_Challenge", C)]),
                p.authorize(client, None, None)
            );
        }
    }
}
