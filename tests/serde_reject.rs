//! The `serde` feature: stored records that must be rejected, and what
//! their errors say (never the stored value, which for plain is the verifier).
#![cfg(feature = "serde")]

use proofkey::{ChallengeMethod, CodeChallenge, Error};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const B_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const B_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn from_value<T: DeserializeOwned>(v: Value) -> Result<T, serde_json::Error> {
    serde_json::from_value(v)
}

/// The error message of a rejected record, checked to come from the right rule.
fn rejected(v: Value) -> String {
    match from_value::<CodeChallenge>(v) {
        Ok(c) => panic!("accepted {c:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_method_name_is_rejected() {
    for bad in ["s256", "PLAIN", "", "S256\u{0}"] {
        let msg = rejected(json!({"code_challenge": B_CHALLENGE, "code_challenge_method": bad}));
        assert!(
            msg.contains(&Error::UnsupportedMethod.to_string()),
            "{bad:?}: {msg}"
        );
    }
}

#[test]
fn missing_method_is_an_error_not_plain() {
    // Valid as plain, so a silent default would accept it.
    let msg = rejected(json!({"code_challenge": B_VERIFIER}));
    assert!(
        msg.contains("missing field `code_challenge_method`"),
        "{msg}"
    );
    let msg = rejected(json!({"code_challenge": B_VERIFIER, "code_challenge_method": null}));
    assert!(msg.contains("invalid type: null"), "{msg}");
    let msg = rejected(json!([B_VERIFIER]));
    assert!(msg.contains("invalid length 1"), "{msg}");
}

#[test]
fn missing_value_is_an_error() {
    let msg = rejected(json!({"code_challenge_method": "S256"}));
    assert!(msg.contains("missing field `code_challenge`"), "{msg}");
    let msg = rejected(json!({"code_challenge": null, "code_challenge_method": "S256"}));
    assert!(msg.contains("invalid type: null"), "{msg}");
}

#[test]
fn non_canonical_s256_values_are_rejected() {
    let hex = "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3";
    let cases = [
        // last character with non-zero unused bits: decodes to the same digest
        (
            B_CHALLENGE.replace("-cM", "-cN"),
            Error::ChallengeNonCanonical,
        ),
        (
            format!("{B_CHALLENGE}="),
            Error::ChallengeLength {
                method: ChallengeMethod::S256,
                len: 44,
            },
        ),
        (
            hex.to_owned(),
            Error::ChallengeLength {
                method: ChallengeMethod::S256,
                len: 64,
            },
        ),
        (
            B_CHALLENGE.replace('-', "+"),
            Error::ChallengeCharset {
                method: ChallengeMethod::S256,
                position: 40,
            },
        ),
    ];
    for (value, err) in cases {
        assert_eq!(
            CodeChallenge::parse(&value, ChallengeMethod::S256).unwrap_err(),
            err
        );
        let msg = rejected(json!({"code_challenge": value, "code_challenge_method": "S256"}));
        assert_eq!(msg, err.to_string(), "{value}");
    }
}

#[test]
fn oversized_and_non_ascii_values_get_the_parse_error() {
    // Longer than the 128-byte buffer: the same error parse() gives.
    for len in [129, 1000] {
        let long = "a".repeat(len);
        for method in [ChallengeMethod::S256, ChallengeMethod::Plain] {
            let err = CodeChallenge::parse(&long, method).unwrap_err();
            assert_eq!(err, Error::ChallengeLength { method, len });
            let msg =
                rejected(json!({"code_challenge": long, "code_challenge_method": method.as_str()}));
            assert_eq!(msg, err.to_string());
        }
    }
    // Multi-byte UTF-8 that fits the buffer: the charset rule.
    let value = format!("{}é", &B_VERIFIER[..42]);
    let msg = rejected(json!({"code_challenge": value, "code_challenge_method": "plain"}));
    let err = Error::ChallengeCharset {
        method: ChallengeMethod::Plain,
        position: 42,
    };
    assert_eq!(msg, err.to_string());
}

#[test]
fn errors_never_contain_the_stored_value() {
    // A plain value is the verifier: a rejected record must not leak it.
    let secret = "ThisIsTheSecretVerifierValue_0123456789abcdefXYZ";
    let short = &secret[..40];
    for (value, method) in [
        (short, "plain"),
        (&format!("{secret}!")[..], "plain"),
        (secret, "S256"),
        (secret, "Plain"),
    ] {
        let msg = rejected(json!({"code_challenge": value, "code_challenge_method": method}));
        assert!(!msg.contains(short), "{msg}");
    }
}

#[test]
fn unknown_and_repeated_fields_are_rejected() {
    let msg = rejected(json!({
        "code_challenge": B_CHALLENGE,
        "code_challenge_method": "S256",
        "code_verifier": B_VERIFIER,
    }));
    assert!(msg.contains("unknown field `code_verifier`"), "{msg}");
    assert!(!msg.contains(B_VERIFIER), "{msg}");

    let text = format!(
        r#"{{"code_challenge":"{B_CHALLENGE}","code_challenge_method":"plain","code_challenge_method":"S256"}}"#
    );
    let msg = serde_json::from_str::<CodeChallenge>(&text)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("duplicate field `code_challenge_method`"),
        "{msg}"
    );
    let text = format!(
        r#"{{"code_challenge":"{B_VERIFIER}","code_challenge":"{B_CHALLENGE}","code_challenge_method":"S256"}}"#
    );
    let msg = serde_json::from_str::<CodeChallenge>(&text)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("duplicate field `code_challenge`"), "{msg}");
}
/// A server record with the binding as a field.
#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct CodeRecord {
    client_id: String,
    redirect_uri: String,
    pkce: Option<CodeChallenge>,
}

#[test]
fn type_errors_say_what_was_expected() {
    let method = serde_json::from_value::<ChallengeMethod>(json!(5))
        .unwrap_err()
        .to_string();
    assert!(
        method.contains(r#"expected a code_challenge_method, "S256" or "plain""#),
        "{method}"
    );
    let record = serde_json::from_value::<CodeChallenge>(json!("S256"))
        .unwrap_err()
        .to_string();
    assert!(
        record.contains(
            "expected a code_challenge record with code_challenge and code_challenge_method"
        ),
        "{record}"
    );
    let value = rejected(json!({"code_challenge": 5, "code_challenge_method": "S256"}));
    assert!(
        value.contains("expected a code_challenge string"),
        "{value}"
    );
}
/// Where a record is expected, a bare string may be the verifier (a plain
/// value stored in the wrong column, say). Formats reject it before the
/// crate's visitor runs, with a message that quotes it; the crate replaces
/// that message with a fixed one.
#[test]
fn a_bare_string_where_a_record_was_expected_is_not_quoted() {
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    use serde::de::value::{BorrowedStrDeserializer, Error as ValueError};

    let secret = B_VERIFIER;
    let quoted = format!("\"{secret}\"");
    // The leak is real: serde_json quotes the string for a derived struct.
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Derived {
        a: String,
    }
    let derived = serde_json::from_str::<Derived>(&quoted).unwrap_err();
    assert!(derived.to_string().contains(secret), "{derived}");

    let expected = "expected a code_challenge record with code_challenge and code_challenge_method";
    let mut messages = vec![
        serde_json::from_str::<CodeChallenge>(&quoted)
            .unwrap_err()
            .to_string(),
        serde_json::from_reader::<_, CodeChallenge>(quoted.as_bytes())
            .unwrap_err()
            .to_string(),
        // escaped: serde_json unescapes into a scratch buffer
        serde_json::from_str::<CodeChallenge>(&quoted.replace('d', "\\u0064"))
            .unwrap_err()
            .to_string(),
        from_value::<CodeChallenge>(json!(secret))
            .unwrap_err()
            .to_string(),
        // in a record, as a field
        serde_json::from_str::<CodeRecord>(&format!(
            r#"{{"client_id":"app","redirect_uri":"x","pkce":{quoted}}}"#
        ))
        .unwrap_err()
        .to_string(),
    ];
    // Formats that hand the string to the visitor (`visit_str`,
    // `visit_borrowed_str`, `visit_string`).
    let value_errors: [Result<CodeChallenge, ValueError>; 3] = [
        CodeChallenge::deserialize(secret.into_deserializer()),
        CodeChallenge::deserialize(BorrowedStrDeserializer::new(secret)),
        CodeChallenge::deserialize(secret.to_owned().into_deserializer()),
    ];
    messages.extend(value_errors.map(|r| r.unwrap_err().to_string()));
    // Buffered by serde (a field next to a flattened one): its own
    // deserializer quotes the string too.
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        pkce: CodeChallenge,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        id: String,
        #[serde(flatten)]
        inner: Inner,
    }
    messages.push(
        serde_json::from_str::<Outer>(&format!(r#"{{"id":"x","pkce":{quoted}}}"#))
            .unwrap_err()
            .to_string(),
    );
    for msg in messages {
        assert!(!msg.contains(secret) && !msg.contains("dBjft"), "{msg}");
        assert!(msg.contains(expected), "{msg}");
        assert!(msg.contains("(not shown)"), "{msg}");
    }
}

/// The fixed message replaces only what the format says before the record
/// starts: inside it, the crate's and serde's messages are kept.
#[test]
fn errors_inside_a_record_keep_their_message() {
    for (text, wanted) in [
        (
            format!(r#"{{"code_challenge":"{B_CHALLENGE}""#),
            "EOF while parsing an object",
        ),
        (
            format!(r#"{{"code_challenge":"{B_CHALLENGE}","code_challenge_method":"S256","x":1}}"#),
            "unknown field `x`",
        ),
        (format!(r#"[{B_CHALLENGE:?}]"#), "invalid length 1"),
    ] {
        let msg = serde_json::from_str::<CodeChallenge>(&text)
            .unwrap_err()
            .to_string();
        assert!(msg.contains(wanted), "{text}: {msg}");
    }
    // Other non-records get the fixed message too.
    for v in [json!(5), json!(true), json!(null)] {
        let msg = from_value::<CodeChallenge>(v).unwrap_err().to_string();
        assert!(msg.contains("(not shown)"), "{msg}");
    }
}
