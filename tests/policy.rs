//! The authorization-server rules of `Policy`, one test per rule, over every
//! preset and builder combination, plus one test per published advisory.

use proofkey::{
    AuthorizeError, ChallengeMethod, ClientType, CodeChallenge, CodeVerifier, Error, Policy,
    TokenError,
};

#[path = "support/vectors.rs"]
mod vectors;
use vectors::{RFC_CHALLENGE as C, RFC_VERIFIER as V};
const OTHER_V: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const CLIENTS: [ClientType; 2] = [ClientType::Public, ClientType::Confidential];

/// Every preset, and every preset with each builder applied each way.
fn policies() -> Vec<(String, Policy)> {
    let presets = [
        ("production", Policy::production()),
        ("development", Policy::development()),
        ("oauth21", Policy::oauth21()),
        ("default", Policy::default()),
    ];
    let mut all = Vec::new();
    for (name, p) in presets {
        all.push((name.to_string(), p));
        for req in [false, true] {
            for plain in [false, true] {
                all.push((
                    format!("{name}.require_for_confidential({req}).allow_plain({plain})"),
                    p.require_for_confidential(req).allow_plain(plain),
                ));
            }
        }
    }
    all
}

fn s256() -> CodeChallenge {
    CodeChallenge::parse(C, ChallengeMethod::S256).unwrap()
}

fn plain() -> CodeChallenge {
    CodeChallenge::parse(V, ChallengeMethod::Plain).unwrap()
}

#[test]
fn presets_are_as_documented() {
    let p = Policy::production();
    assert_eq!(Policy::default(), p);
    assert!(p.requires_pkce(ClientType::Public) && !p.requires_pkce(ClientType::Confidential));
    assert!(p.allows(ChallengeMethod::S256) && !p.allows(ChallengeMethod::Plain));
    assert_eq!(p.methods_supported(), ["S256"]);

    let d = Policy::development();
    assert!(d.requires_pkce(ClientType::Public) && !d.requires_pkce(ClientType::Confidential));
    assert!(d.allows(ChallengeMethod::S256) && d.allows(ChallengeMethod::Plain));
    assert_eq!(d.methods_supported(), ["S256", "plain"]);

    let o = Policy::oauth21();
    assert!(o.requires_pkce(ClientType::Public) && o.requires_pkce(ClientType::Confidential));
    assert!(!o.allows(ChallengeMethod::Plain));
    assert_eq!(o.methods_supported(), ["S256"]);

    assert_eq!(p.require_for_confidential(true), o);
    assert_eq!(p.allow_plain(true), d);
    assert_eq!(d.allow_plain(false), p);
    assert_eq!(o.require_for_confidential(false), p);
    // Built in const context.
    const P: Policy = Policy::production()
        .require_for_confidential(true)
        .allow_plain(true);
    assert!(P.requires_pkce(ClientType::Confidential) && P.allows(ChallengeMethod::Plain));
}

// Authorization endpoint rule 1: an empty value counts as absent.
#[test]
fn authorize_rule1_empty_counts_as_absent() {
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

// Rule 2: a method without a challenge is rejected.
#[test]
fn authorize_rule2_method_without_challenge() {
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

// Rule 3: no challenge: public rejected; confidential Ok(None) unless required.
#[test]
fn authorize_rule3_no_challenge() {
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

// Rule 4: missing method means plain where plain is allowed, else rejected.
#[test]
fn authorize_rule4_missing_method() {
    for (name, p) in policies() {
        for client in CLIENTS {
            let got = p.authorize(client, Some(V), None);
            if p.allows(ChallengeMethod::Plain) {
                let c = got.unwrap().unwrap();
                assert_eq!(c.method(), ChallengeMethod::Plain, "{name}");
                assert_eq!(c.as_str(), V);
            } else {
                assert_eq!(got.unwrap_err(), AuthorizeError::MethodRequired, "{name}");
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
}

// Rule 5: only exactly "S256" or "plain"; plain only where allowed.
#[test]
fn authorize_rule5_method_names() {
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

// Rule 6: a challenge malformed for its method is rejected at the first step.
#[test]
fn authorize_rule6_malformed_challenge() {
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
                    .authorize(client, Some(&format!("{V}+")), None)
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

// Rule 7: a repeated PKCE parameter is rejected (the `_params` form).
#[test]
fn authorize_rule7_repeated_parameter() {
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

// Token endpoint rule 1: an empty verifier counts as absent.
#[test]
fn token_rule1_empty_verifier_counts_as_absent() {
    for (name, p) in policies() {
        for client in CLIENTS {
            let b = s256();
            assert_eq!(
                p.token(client, Some(&b), Some("")),
                p.token(client, Some(&b), None),
                "{name}"
            );
            assert_eq!(
                p.token(client, None, Some("")),
                p.token(client, None, None),
                "{name}"
            );
        }
    }
}

// Rule 2: challenge bound, verifier absent: rejected (authentik CVE-2023-48228).
#[test]
fn token_rule2_bound_without_verifier() {
    for (name, p) in policies() {
        for client in CLIENTS {
            let err = p.token(client, Some(&s256()), None).unwrap_err();
            assert_eq!(err, TokenError::VerifierRequired, "{name}");
            assert_eq!(err.error_code(), "invalid_grant");
        }
    }
}

// Rule 3: no challenge bound, verifier present: the downgrade, for every client type.
#[test]
fn token_rule3_verifier_without_binding_is_a_downgrade() {
    for (name, p) in policies() {
        for client in CLIENTS {
            for v in [V, OTHER_V, "x", "not even syntax!"] {
                let err = p.token(client, None, Some(v)).unwrap_err();
                assert_eq!(err, TokenError::UnexpectedVerifier, "{name} {client:?}");
                assert_eq!(err.error_code(), "invalid_grant");
            }
        }
    }
}

// Rule 4: neither: accepted only where this client type may skip PKCE.
#[test]
fn token_rule4_neither_bound_nor_presented() {
    for (name, p) in policies() {
        assert_eq!(
            p.token(ClientType::Public, None, None),
            Err(TokenError::PkceRequired),
            "{name}"
        );
        let conf = p.token(ClientType::Confidential, None, None);
        if p.requires_pkce(ClientType::Confidential) {
            assert_eq!(conf, Err(TokenError::PkceRequired), "{name}");
        } else {
            assert_eq!(conf, Ok(()), "{name}");
        }
    }
    assert_eq!(TokenError::PkceRequired.error_code(), "invalid_grant");
}

// Rule 5: the method is the bound one, never the token request's.
#[test]
fn token_rule5_method_is_the_bound_one() {
    for (name, p) in policies() {
        for client in CLIENTS {
            // Presenting the S256 challenge itself as if the method were plain fails.
            let form = [("code_verifier", C), ("code_challenge_method", "plain")];
            assert_eq!(
                p.token_params(client, Some(&s256()), form),
                Err(TokenError::Mismatch),
                "{name}"
            );
            let form = [("code_verifier", V), ("code_challenge_method", "plain")];
            assert_eq!(
                p.token_params(client, Some(&s256()), form),
                Ok(()),
                "{name}"
            );
            if p.allows(ChallengeMethod::Plain) {
                // A plain binding compares the value itself, whatever the request says.
                let form = [("code_verifier", V), ("code_challenge_method", "S256")];
                assert_eq!(
                    p.token_params(client, Some(&plain()), form),
                    Ok(()),
                    "{name}"
                );
                let form = [("code_verifier", C), ("code_challenge_method", "S256")];
                assert_eq!(
                    p.token_params(client, Some(&plain()), form),
                    Err(TokenError::Mismatch)
                );
            }
        }
    }
}

// Rule 6: malformed verifier and mismatch are rejected via verify.
#[test]
fn token_rule6_malformed_and_mismatch() {
    for (name, p) in policies() {
        for client in CLIENTS {
            let b = s256();
            assert_eq!(p.token(client, Some(&b), Some(V)), Ok(()), "{name}");
            assert_eq!(
                p.token(client, Some(&b), Some(OTHER_V)),
                Err(TokenError::Mismatch),
                "{name}"
            );
            let one_char = p.token(client, Some(&b), Some("a")).unwrap_err();
            assert_eq!(
                one_char,
                TokenError::MalformedVerifier(Error::VerifierLength { len: 1 })
            );
            assert_eq!(one_char.error_code(), "invalid_grant");
            let bad = format!("{V}\n");
            assert_eq!(
                p.token(client, Some(&b), Some(&bad)),
                Err(TokenError::MalformedVerifier(Error::VerifierCharset {
                    position: 43
                }))
            );
            assert_eq!(TokenError::Mismatch.error_code(), "invalid_grant");
        }
    }
}

// Rule 7: a bound method the policy does not allow fails closed.
#[test]
fn token_rule7_disallowed_bound_method_fails_closed() {
    for (name, p) in policies() {
        for client in CLIENTS {
            let got = p.token(client, Some(&plain()), Some(V));
            if p.allows(ChallengeMethod::Plain) {
                assert_eq!(got, Ok(()), "{name}");
            } else {
                assert_eq!(got, Err(TokenError::MethodNotAllowed), "{name}");
                assert_eq!(
                    p.token(client, Some(&plain()), None),
                    Err(TokenError::MethodNotAllowed)
                );
            }
        }
    }
}

// Rule 8: a repeated code_verifier is invalid_request.
#[test]
fn token_rule8_repeated_verifier() {
    for (name, p) in policies() {
        for client in CLIENTS {
            let form = [
                ("code_verifier", V),
                ("grant_type", "authorization_code"),
                ("code_verifier", V),
            ];
            let err = p.token_params(client, Some(&s256()), form).unwrap_err();
            assert_eq!(err, TokenError::RepeatedVerifier, "{name}");
            assert_eq!(err.error_code(), "invalid_request");
            let form = [("code_verifier", ""), ("code_verifier", V)];
            assert_eq!(
                p.token_params(client, None, form),
                Err(TokenError::RepeatedVerifier)
            );
            // Without repetition it is `token`.
            let form = [
                ("grant_type", "authorization_code"),
                ("code", "abc"),
                ("code_verifier", V),
            ];
            assert_eq!(p.token_params(client, Some(&s256()), form), Ok(()));
            assert_eq!(
                p.token_params(client, None, [("code", "abc")]),
                p.token(client, None, None)
            );
        }
    }
}

/// RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E.
fn rfc6749_description_char(b: u8) -> bool {
    matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)
}

#[test]
fn every_description_is_in_the_rfc6749_charset() {
    let inner = [
        Error::ChallengeLength {
            method: ChallengeMethod::S256,
            len: 1,
        },
        Error::ChallengeLength {
            method: ChallengeMethod::Plain,
            len: 1,
        },
        Error::ChallengeCharset {
            method: ChallengeMethod::S256,
            position: 1,
        },
        Error::ChallengeCharset {
            method: ChallengeMethod::Plain,
            position: 1,
        },
        Error::ChallengeNonCanonical,
        Error::VerifierLength { len: 1 },
        Error::VerifierCharset { position: 3 },
    ];
    let mut descriptions: Vec<&str> = vec![];
    for a in [
        AuthorizeError::MethodWithoutChallenge,
        AuthorizeError::ChallengeRequired,
        AuthorizeError::MethodRequired,
        AuthorizeError::UnsupportedMethod,
        AuthorizeError::MethodNotAllowed,
        AuthorizeError::RepeatedChallenge,
        AuthorizeError::RepeatedMethod,
    ]
    .into_iter()
    .chain(inner.map(AuthorizeError::MalformedChallenge))
    {
        assert_eq!(a.to_string(), a.description());
        descriptions.push(a.description());
    }
    for t in [
        TokenError::VerifierRequired,
        TokenError::UnexpectedVerifier,
        TokenError::PkceRequired,
        TokenError::MethodNotAllowed,
        TokenError::Mismatch,
        TokenError::RepeatedVerifier,
    ]
    .into_iter()
    .chain(inner.map(TokenError::MalformedVerifier))
    {
        assert_eq!(t.to_string(), t.description());
        descriptions.push(t.description());
    }
    for d in descriptions {
        assert!(!d.is_empty());
        assert!(d.bytes().all(rfc6749_description_char), "{d:?}");
    }
}

#[test]
fn malformed_errors_expose_their_cause_as_source() {
    use std::error::Error as _;
    let inner = Error::VerifierLength { len: 1 };
    let t = TokenError::MalformedVerifier(inner);
    assert_eq!(t.source().unwrap().to_string(), inner.to_string());
    assert!(TokenError::Mismatch.source().is_none());
    let a = AuthorizeError::MalformedChallenge(Error::ChallengeNonCanonical);
    assert_eq!(
        a.source().unwrap().to_string(),
        Error::ChallengeNonCanonical.to_string()
    );
    assert!(AuthorizeError::ChallengeRequired.source().is_none());
}

// --- One test per advisory: the exploit fails. ---

/// authentik CVE-2023-48228: a token request without code_verifier was
/// accepted although a challenge was bound to the code.
#[test]
fn cve_2023_48228_missing_verifier_with_bound_challenge_is_rejected() {
    for (name, p) in policies() {
        for client in CLIENTS {
            let bound = p.authorize(client, Some(C), Some("S256")).unwrap();
            assert!(bound.is_some());
            let stolen_code_redeemed = p.token_params(
                client,
                bound.as_ref(),
                [("grant_type", "authorization_code")],
            );
            assert_eq!(
                stolen_code_redeemed,
                Err(TokenError::VerifierRequired),
                "{name}"
            );
        }
    }
}

/// Spring Authorization Server CVE-2024-22258, kanidm #1097, RFC 9700 §4.8:
/// a code issued without a challenge was redeemed with a verifier.
#[test]
fn cve_2024_22258_pkce_downgrade_is_rejected() {
    for (name, p) in policies() {
        if p.requires_pkce(ClientType::Confidential) {
            continue; // such a policy never issues a code without a challenge
        }
        // The attacker strips the challenge from the victim's authorization request...
        let bound = p.authorize(ClientType::Confidential, None, None).unwrap();
        assert!(bound.is_none(), "{name}");
        // ...and the victim's client still sends its verifier at the token endpoint.
        let got = p.token(ClientType::Confidential, bound.as_ref(), Some(V));
        assert_eq!(got, Err(TokenError::UnexpectedVerifier), "{name}");
    }
}

/// authentik CVE-2024-23647: a public client could strip the challenge from
/// its authorization request.
#[test]
fn cve_2024_23647_public_client_cannot_strip_the_challenge() {
    for (name, p) in policies() {
        assert_eq!(
            p.authorize(ClientType::Public, None, None),
            Err(AuthorizeError::ChallengeRequired),
            "{name}"
        );
        assert_eq!(
            p.authorize_params(
                ClientType::Public,
                [("response_type", "code"), ("code_challenge_method", "S256")]
            ),
            Err(AuthorizeError::MethodWithoutChallenge)
        );
        // And even if a code without binding existed for a public client, it does not redeem.
        assert_eq!(
            p.token(ClientType::Public, None, None),
            Err(TokenError::PkceRequired),
            "{name}"
        );
    }
}

/// CVE-2026-41213: a 1-character verifier was accepted.
#[test]
fn cve_2026_41213_one_character_verifier_is_rejected() {
    for (name, p) in policies() {
        for client in CLIENTS {
            for short in ["a", "0", "~", &V[..42]] {
                if p.allows(ChallengeMethod::Plain) {
                    // As a plain challenge at the authorization endpoint...
                    let err = p.authorize(client, Some(short), Some("plain")).unwrap_err();
                    assert!(
                        matches!(
                            err,
                            AuthorizeError::MalformedChallenge(Error::ChallengeLength { .. })
                        ),
                        "{name}"
                    );
                }
                // ...and as a verifier at the token endpoint, for both methods.
                let got = p.token(client, Some(&s256()), Some(short));
                assert_eq!(
                    got,
                    Err(TokenError::MalformedVerifier(Error::VerifierLength {
                        len: short.len()
                    }))
                );
                if p.allows(ChallengeMethod::Plain) {
                    let one_char_plain_binding =
                        CodeChallenge::parse(short, ChallengeMethod::Plain);
                    assert!(one_char_plain_binding.is_err());
                }
            }
        }
    }
}

#[test]
fn full_flow_for_every_policy_and_client() {
    use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};
    let mut rng = ChaCha20Rng::from_seed([9; 32]);
    for (name, p) in policies() {
        for client in CLIENTS {
            let verifier = CodeVerifier::generate(&mut rng).unwrap();
            let sent = verifier.challenge();
            let query = [
                ("code_challenge", sent.as_str()),
                ("code_challenge_method", "S256"),
            ];
            let bound = p.authorize_params(client, query).unwrap().unwrap();
            // What a server stores and reads back.
            let (value, method) = (bound.as_str().to_owned(), bound.method().as_str());
            let reread = CodeChallenge::parse(&value, method.parse().unwrap()).unwrap();
            assert_eq!(reread, bound);
            let form = [("code_verifier", verifier.secret())];
            assert_eq!(
                p.token_params(client, Some(&reread), form),
                Ok(()),
                "{name}"
            );
            let other = CodeVerifier::generate(&mut rng).unwrap();
            assert_eq!(
                p.token(client, Some(&reread), Some(other.secret())),
                Err(TokenError::Mismatch)
            );
        }
    }
}

#[test]
fn descriptions_are_the_documented_texts() {
    let authorize = [
        (
            AuthorizeError::MethodWithoutChallenge,
            "code_challenge_method sent without code_challenge",
        ),
        (AuthorizeError::ChallengeRequired, "code challenge required"),
        (
            AuthorizeError::MethodRequired,
            "code_challenge_method required: this server accepts S256 only",
        ),
        (
            AuthorizeError::UnsupportedMethod,
            "transform algorithm not supported",
        ),
        (
            AuthorizeError::MethodNotAllowed,
            "transform algorithm not supported: plain is not allowed, use S256",
        ),
        (
            AuthorizeError::RepeatedChallenge,
            "code_challenge parameter repeated",
        ),
        (
            AuthorizeError::RepeatedMethod,
            "code_challenge_method parameter repeated",
        ),
    ];
    for (e, text) in authorize {
        assert_eq!(e.description(), text);
    }
    let token = [
        (TokenError::VerifierRequired, "code_verifier required"),
        (
            TokenError::UnexpectedVerifier,
            "code_verifier sent, but the authorization request had no code_challenge",
        ),
        (
            TokenError::PkceRequired,
            "PKCE required, but the authorization code has no code_challenge",
        ),
        (
            TokenError::MethodNotAllowed,
            "the code_challenge_method bound to this code is no longer accepted",
        ),
        (
            TokenError::MalformedVerifier(Error::VerifierLength { len: 1 }),
            "code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]",
        ),
        (
            TokenError::Mismatch,
            "code_verifier does not match the code_challenge",
        ),
        (
            TokenError::RepeatedVerifier,
            "code_verifier parameter repeated",
        ),
    ];
    for (e, text) in token {
        assert_eq!(e.description(), text);
        assert_eq!(e.to_string(), text);
    }
}
