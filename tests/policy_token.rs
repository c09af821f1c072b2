//! The token endpoint's rules of `Policy`, one test per rule, over every
//! preset and builder combination (tests/support/policies.rs).

use proofkey::{ChallengeMethod, Error, TokenError};

#[path = "support/policies.rs"]
mod policies;
#[path = "support/vectors.rs"]
mod vectors;
use policies::{CLIENTS, OTHER_V, plain, policies, s256};
use proofkey::ClientType;
use vectors::{RFC_CHALLENGE as C, RFC_VERIFIER as V};

// An empty verifier counts as absent.
#[test]
fn token_treats_an_empty_verifier_as_absent() {
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

// Challenge bound, verifier absent: rejected (authentik CVE-2023-48228).
#[test]
fn token_rejects_a_bound_challenge_without_a_verifier() {
    for (name, p) in policies() {
        for client in CLIENTS {
            let err = p.token(client, Some(&s256()), None).unwrap_err();
            assert_eq!(err, TokenError::VerifierRequired, "{name}");
            assert_eq!(err.error_code(), "invalid_grant");
        }
    }
}

// No challenge bound, verifier present: the downgrade, for every client type.
#[test]
fn token_rejects_a_verifier_without_a_binding_as_a_downgrade() {
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

// Neither: accepted only where this client type may skip PKCE.
#[test]
fn token_without_binding_or_verifier_rejects_clients_that_must_use_pkce() {
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

// The method is the bound one, never the token request's.
#[test]
fn token_uses_the_bound_method_never_one_from_the_request() {
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

// Malformed verifier and mismatch are rejected via verify.
#[test]
fn token_rejects_a_malformed_or_mismatched_verifier() {
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

// A bound method the policy does not allow fails closed.
#[test]
fn token_fails_closed_on_a_bound_method_no_longer_allowed() {
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

// A repeated code_verifier is invalid_request.
#[test]
fn token_params_rejects_a_repeated_verifier() {
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
