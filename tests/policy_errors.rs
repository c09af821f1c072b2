//! The errors of `Policy`: codes, descriptions, HTTP status, JSON body and
//! redirect parameters, for every variant.

use proofkey::{AuthorizeError, ChallengeMethod, Error, TokenError};

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
        AuthorizeError::ChallengeReused,
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
            // Also true where plain is allowed: S256 always is.
            "code_challenge_method required: use S256",
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
        (
            AuthorizeError::ChallengeReused,
            "code_challenge was used before: use a fresh code_verifier for every authorization request",
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

/// Every variant of both errors, the malformed ones with each kind of cause.
fn all_errors() -> (Vec<AuthorizeError>, Vec<TokenError>) {
    let challenge_causes = [
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
    ];
    let verifier_causes = [
        Error::VerifierLength { len: 1 },
        Error::VerifierCharset { position: 3 },
    ];
    let authorize = [
        AuthorizeError::MethodWithoutChallenge,
        AuthorizeError::ChallengeRequired,
        AuthorizeError::MethodRequired,
        AuthorizeError::UnsupportedMethod,
        AuthorizeError::MethodNotAllowed,
        AuthorizeError::RepeatedChallenge,
        AuthorizeError::RepeatedMethod,
        AuthorizeError::ChallengeReused,
    ]
    .into_iter()
    .chain(challenge_causes.map(AuthorizeError::MalformedChallenge))
    .collect();
    let token = [
        TokenError::VerifierRequired,
        TokenError::UnexpectedVerifier,
        TokenError::PkceRequired,
        TokenError::MethodNotAllowed,
        TokenError::Mismatch,
        TokenError::RepeatedVerifier,
    ]
    .into_iter()
    .chain(verifier_causes.map(TokenError::MalformedVerifier))
    .collect();
    (authorize, token)
}

// RFC 6749 §5.2: 400 unless specified otherwise; only invalid_client may be
// 401, and no PKCE error is invalid_client.
#[test]
fn every_token_error_is_a_400() {
    for e in all_errors().1 {
        assert_eq!(e.status_code(), 400, "{e:?}");
        assert_ne!(e.error_code(), "invalid_client");
    }
}

#[test]
fn token_error_json_parses_with_the_same_fields() {
    for e in all_errors().1 {
        let text = e.json().to_string();
        let value: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|err| panic!("{text}: {err}"));
        let object = value.as_object().expect("a JSON object");
        assert_eq!(object.len(), 2, "{text}");
        assert_eq!(object["error"], e.error_code(), "{text}");
        assert_eq!(object["error_description"], e.description(), "{text}");
        // Compact, in this order, as documented.
        assert_eq!(
            text,
            format!(
                r#"{{"error":"{}","error_description":"{}"}}"#,
                e.error_code(),
                e.description()
            )
        );
    }
    // Kept after the error itself is gone (the body borrows nothing).
    let body = {
        let e = TokenError::RepeatedVerifier;
        e.json()
    };
    assert_eq!(
        body.to_string(),
        r#"{"error":"invalid_request","error_description":"code_verifier parameter repeated"}"#
    );
}

#[test]
fn authorize_error_query_pairs_survive_a_redirect() {
    for e in all_errors().0 {
        let pairs = e.query_pairs();
        assert_eq!(
            pairs,
            [
                ("error", e.error_code()),
                ("error_description", e.description())
            ]
        );
        // Through a real query string, with state and iss (RFC 9207), and back.
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .extend_pairs([("state", "a b&c"), ("iss", "https://as.example")])
            .finish();
        let back: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(back.len(), 4, "{query}");
        assert_eq!(back[0], ("error".into(), "invalid_request".into()));
        assert_eq!(
            back[1],
            ("error_description".into(), e.description().into())
        );
        assert_eq!(back[2].1, "a b&c");
    }
}
