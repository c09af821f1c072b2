//! The presets against the sentences their documentation quotes: one test
//! per sentence, named after the preset and the specification.

use proofkey::{AuthorizeError, ChallengeMethod, ClientType, CodeChallenge, Policy, TokenError};

#[path = "support/vectors.rs"]
mod vectors;
use vectors::{RFC_CHALLENGE as C, RFC_VERIFIER as V};

const PUBLIC: ClientType = ClientType::Public;
const CONFIDENTIAL: ClientType = ClientType::Confidential;

fn s256() -> CodeChallenge {
    CodeChallenge::parse(C, ChallengeMethod::S256).unwrap()
}

// ------------------------------------------------------------ production

/// RFC 9700 §2.1.1: "Public clients MUST use PKCE [RFC7636] to this end".
/// RFC 7636 §4.4.1: [...] "the authorization endpoint MUST return the
/// authorization error response with the "error" value set to
/// "invalid_request"."
#[test]
fn production_rfc9700_public_clients_must_use_pkce() {
    let p = Policy::production();
    let err = p.authorize(PUBLIC, None, None).unwrap_err();
    assert_eq!(err, AuthorizeError::ChallengeRequired);
    assert_eq!(err.error_code(), "invalid_request");
    assert_eq!(err.description(), "code challenge required");
    // ...and a public client's code without PKCE never redeems.
    assert_eq!(p.token(PUBLIC, None, None), Err(TokenError::PkceRequired));
}

/// RFC 9700 §2.1.1: "For confidential clients, the use of PKCE [RFC7636]
/// is RECOMMENDED": allowed without, enforced when used.
#[test]
fn production_rfc9700_pkce_is_recommended_for_confidential_clients() {
    let p = Policy::production();
    assert_eq!(p.authorize(CONFIDENTIAL, None, None), Ok(None));
    assert_eq!(p.token(CONFIDENTIAL, None, None), Ok(()));
    let bound = p.authorize(CONFIDENTIAL, Some(C), Some("S256")).unwrap();
    assert_eq!(bound, Some(s256()));
}

/// RFC 9700 §2.1.1: "If a client sends a valid PKCE `code_challenge`
/// parameter in the authorization request, the authorization server MUST
/// enforce the correct usage of `code_verifier` at the token endpoint."
#[test]
fn production_rfc9700_a_sent_challenge_is_enforced() {
    let p = Policy::production();
    for client in [PUBLIC, CONFIDENTIAL] {
        let bound = p.authorize(client, Some(C), Some("S256")).unwrap();
        let bound = bound.as_ref();
        assert_eq!(p.token(client, bound, Some(V)), Ok(()));
        assert_eq!(
            p.token(client, bound, None),
            Err(TokenError::VerifierRequired)
        );
        let wrong = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert_eq!(
            p.token(client, bound, Some(wrong)),
            Err(TokenError::Mismatch)
        );
    }
}

/// RFC 9700 §2.1.1: "Authorization servers MUST mitigate PKCE downgrade
/// attacks by ensuring that a token request containing a `code_verifier`
/// parameter is accepted only if a `code_challenge` parameter was present
/// in the authorization request".
#[test]
fn production_rfc9700_a_verifier_without_a_challenge_is_a_downgrade() {
    let p = Policy::production();
    for client in [PUBLIC, CONFIDENTIAL] {
        assert_eq!(
            p.token(client, None, Some(V)),
            Err(TokenError::UnexpectedVerifier)
        );
    }
}

/// RFC 9700 §2.1.1: "When using PKCE, clients SHOULD use PKCE code
/// challenge methods that do not expose the PKCE verifier in the
/// authorization request. [...] Currently, `S256` is the only such method."
#[test]
fn production_rfc9700_only_s256_which_does_not_expose_the_verifier() {
    let p = Policy::production();
    for client in [PUBLIC, CONFIDENTIAL] {
        assert_eq!(
            p.authorize(client, Some(V), Some("plain")),
            Err(AuthorizeError::MethodNotAllowed)
        );
        // A missing method would be plain by RFC 7636 §4.3: rejected too.
        assert_eq!(
            p.authorize(client, Some(V), None),
            Err(AuthorizeError::MethodRequired)
        );
        let plain = CodeChallenge::parse(V, ChallengeMethod::Plain).unwrap();
        assert_eq!(
            p.token(client, Some(&plain), Some(V)),
            Err(TokenError::MethodNotAllowed)
        );
    }
}

/// RFC 9700 §2.1.1: "It is RECOMMENDED for authorization servers to
/// publish the element `code_challenge_methods_supported` [...] containing
/// the supported PKCE challenge methods".
#[test]
fn production_rfc9700_publishes_the_supported_methods() {
    assert_eq!(Policy::production().methods_supported(), ["S256"]);
}

// ----------------------------------------------------------- development

/// RFC 7636 §4.3, `code_challenge_method`: "OPTIONAL, defaults to "plain"
/// if not present in the request."
#[test]
fn development_rfc7636_a_missing_method_defaults_to_plain() {
    let d = Policy::development();
    let bound = d.authorize(PUBLIC, Some(V), None).unwrap().unwrap();
    assert_eq!(bound.method(), ChallengeMethod::Plain);
    assert_eq!(bound.as_str(), V);
    // an empty method is a missing one (RFC 6749 §3.1)
    let bound = d.authorize(PUBLIC, Some(V), Some("")).unwrap().unwrap();
    assert_eq!(bound.method(), ChallengeMethod::Plain);
}

/// RFC 7636 §4.2: "Clients are permitted to use "plain" only if they
/// cannot support "S256" for some technical reason and know via
/// out-of-band configuration that the server supports "plain"."
#[test]
fn development_rfc7636_plain_is_supported_and_published() {
    let d = Policy::development();
    let bound = d
        .authorize(PUBLIC, Some(V), Some("plain"))
        .unwrap()
        .unwrap();
    assert_eq!(bound.method(), ChallengeMethod::Plain);
    assert_eq!(d.methods_supported(), ["S256", "plain"]);
    // S256 stays the first choice
    assert_eq!(
        d.authorize(PUBLIC, Some(C), Some("S256")).unwrap(),
        Some(s256())
    );
}

/// RFC 7636 §4.6: "If the "code_challenge_method" from Section 4.3 was
/// "plain", they are compared directly".
#[test]
fn development_rfc7636_plain_is_compared_directly() {
    let d = Policy::development();
    let bound = d.authorize(PUBLIC, Some(V), None).unwrap();
    assert_eq!(d.token(PUBLIC, bound.as_ref(), Some(V)), Ok(()));
    // not through S256: the S256 challenge of V is not V
    assert_eq!(
        d.token(PUBLIC, bound.as_ref(), Some(C)),
        Err(TokenError::Mismatch)
    );
}

// --------------------------------------------------------------- oauth21

/// OAuth 2.1 §4.1.1: "Clients MUST use `code_challenge` and
/// `code_verifier` and authorization servers MUST enforce their use except
/// under the conditions described in Section 7.5.1."
#[test]
fn oauth21_every_client_must_use_pkce() {
    let o = Policy::oauth21();
    for client in [PUBLIC, CONFIDENTIAL] {
        assert_eq!(
            o.authorize(client, None, None),
            Err(AuthorizeError::ChallengeRequired)
        );
        assert_eq!(o.token(client, None, None), Err(TokenError::PkceRequired));
    }
    // Section 7.5.1's exception is the deployment's to grant.
    assert_eq!(
        o.require_for_confidential(false)
            .authorize(CONFIDENTIAL, None, None),
        Ok(None)
    );
}

/// OAuth 2.1 §4.1.1: "The `plain` transformation method defined in
/// [RFC7636] is removed and explicitly prohibited in this specification."
#[test]
fn oauth21_plain_is_prohibited() {
    let o = Policy::oauth21();
    assert_eq!(
        o.authorize(PUBLIC, Some(V), Some("plain")),
        Err(AuthorizeError::MethodNotAllowed)
    );
    let plain = CodeChallenge::parse(V, ChallengeMethod::Plain).unwrap();
    assert_eq!(
        o.token(PUBLIC, Some(&plain), Some(V)),
        Err(TokenError::MethodNotAllowed)
    );
    assert_eq!(o.methods_supported(), ["S256"]);
}

/// OAuth 2.1 §4.1.1, `code_challenge_method`: "OPTIONAL, defaults to
/// `S256` if not present in the request."
#[test]
fn oauth21_a_missing_method_defaults_to_s256() {
    let o = Policy::oauth21();
    for client in [PUBLIC, CONFIDENTIAL] {
        let bound = o.authorize(client, Some(C), None).unwrap().unwrap();
        assert_eq!(bound, s256());
        assert_eq!(o.token(client, Some(&bound), Some(V)), Ok(()));
        // The value in the request never redeems the code.
        assert_eq!(
            o.token(client, Some(&bound), Some(C)),
            Err(TokenError::Mismatch)
        );
        // A client that meant plain fails closed: V has S256's syntax, so it
        // is bound as an S256 challenge, and V itself does not redeem it.
        let meant_plain = o.authorize(client, Some(V), None).unwrap().unwrap();
        assert_eq!(meant_plain.method(), ChallengeMethod::S256);
        assert_eq!(
            o.token(client, Some(&meant_plain), Some(V)),
            Err(TokenError::Mismatch)
        );
        // A longer plain value is not S256 syntax at all.
        let long = format!("{V}{V}");
        assert!(matches!(
            o.authorize(client, Some(&long), None),
            Err(AuthorizeError::MalformedChallenge(_))
        ));
    }
}

// ----------------------------------------------------------------- fapi2

/// FAPI 2.0 Security Profile §5.3.2.2: "shall require PKCE [RFC7636] with
/// S256 as the code challenge method".
#[test]
fn fapi2_requires_pkce_with_s256_as_the_method() {
    let f = Policy::fapi2();
    for client in [PUBLIC, CONFIDENTIAL] {
        // PKCE required
        assert_eq!(
            f.authorize(client, None, None),
            Err(AuthorizeError::ChallengeRequired)
        );
        assert_eq!(f.token(client, None, None), Err(TokenError::PkceRequired));
        // with S256 as the method: named, and nothing else
        assert_eq!(
            f.authorize(client, Some(C), None),
            Err(AuthorizeError::MethodRequired)
        );
        assert_eq!(
            f.authorize(client, Some(V), Some("plain")),
            Err(AuthorizeError::MethodNotAllowed)
        );
        assert_eq!(
            f.authorize(client, Some(C), Some("s256")),
            Err(AuthorizeError::UnsupportedMethod)
        );
        let bound = f.authorize(client, Some(C), Some("S256")).unwrap();
        assert_eq!(bound, Some(s256()));
        assert_eq!(f.token(client, bound.as_ref(), Some(V)), Ok(()));
    }
    assert_eq!(f.methods_supported(), ["S256"]);
}
