//! One test per published advisory: the exploit fails under every policy.
//! And the whole flow, for every policy and client type.

use proofkey::{
    AuthorizeError, ChallengeMethod, ClientType, CodeChallenge, CodeVerifier, Error, Policy,
    TokenError,
};

#[path = "support/policies.rs"]
mod policies;
#[path = "support/vectors.rs"]
mod vectors;
use policies::{CLIENTS, cases, policies, s256};
use vectors::{RFC_CHALLENGE as C, RFC_VERIFIER as V};

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

/// RFC 9700 §2.1.1, RFC 7636 §4.3: an attacker strips `code_challenge_method`
/// from the victim's S256 request (or the client forgets it). Where a missing
/// method means plain, the S256 challenge is bound as plain, and whoever saw
/// the request redeems the code with the challenge itself. Only
/// `MissingMethod::Plain` (development's default) is exposed.
#[test]
fn stripped_method_exposes_the_code_only_where_missing_means_plain() {
    for case in cases() {
        let (name, p) = (&case.name, case.policy);
        for client in CLIENTS {
            let Ok(bound) = p.authorize(client, Some(C), None) else {
                assert_eq!(case.method_when_missing(), None, "{name}");
                continue;
            };
            let bound = bound.unwrap();
            let redeemed_with_the_challenge = p.token(client, Some(&bound), Some(C)).is_ok();
            assert_eq!(
                redeemed_with_the_challenge,
                case.method_when_missing() == Some(ChallengeMethod::Plain),
                "{name}"
            );
            // The legitimate client, holding V, succeeds only where it is bound as S256.
            assert_eq!(
                p.token(client, Some(&bound), Some(V)).is_ok(),
                bound.method() == ChallengeMethod::S256,
                "{name}"
            );
        }
    }
    assert!(
        Policy::production()
            .authorize(ClientType::Public, Some(C), None)
            .is_err()
    );
    assert!(
        Policy::fapi2()
            .authorize(ClientType::Public, Some(C), None)
            .is_err()
    );
    // OAuth 2.1 reads a missing method as S256: the challenge is bound as
    // S256, so the challenge itself never redeems the code.
    let bound = Policy::oauth21()
        .authorize(ClientType::Public, Some(C), None)
        .unwrap()
        .unwrap();
    assert_eq!(bound.method(), ChallengeMethod::S256);
    assert!(
        Policy::oauth21()
            .token(ClientType::Public, Some(&bound), Some(C))
            .is_err()
    );
    assert!(
        Policy::oauth21()
            .token(ClientType::Public, Some(&bound), Some(V))
            .is_ok()
    );
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
    use rand::{rand_core::SeedableRng, rngs::ChaCha20Rng};
    let mut rng = ChaCha20Rng::from_seed([9; 32]);
    for (name, p) in policies() {
        for client in CLIENTS {
            let verifier = CodeVerifier::from_rng(&mut rng).unwrap();
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
            let other = CodeVerifier::from_rng(&mut rng).unwrap();
            assert_eq!(
                p.token(client, Some(&reread), Some(other.secret())),
                Err(TokenError::Mismatch)
            );
        }
    }
}
