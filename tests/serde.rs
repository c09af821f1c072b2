//! The `serde` feature: the stored shape of a `CodeChallenge`, round trips,
//! and embedding in a server record. Rejected records: tests/serde_reject.rs.
#![cfg(feature = "serde")]

use proofkey::{ChallengeMethod, CodeChallenge, CodeVerifier, Error};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

#[path = "support/vectors.rs"]
mod vectors;

use vectors::{RFC_CHALLENGE as B_CHALLENGE, RFC_VERIFIER as B_VERIFIER};

fn from_value<T: DeserializeOwned>(v: Value) -> Result<T, serde_json::Error> {
    serde_json::from_value(v)
}

#[test]
fn method_is_its_registered_name() {
    for (m, name) in [
        (ChallengeMethod::S256, "S256"),
        (ChallengeMethod::Plain, "plain"),
    ] {
        assert_eq!(serde_json::to_value(m).unwrap(), json!(name));
        assert_eq!(from_value::<ChallengeMethod>(json!(name)).unwrap(), m);
    }
}

#[test]
fn method_names_are_exact() {
    for bad in [
        "s256", "S-256", "PLAIN", "Plain", " S256", "S256 ", "", "sha256", "none",
    ] {
        let err = from_value::<ChallengeMethod>(json!(bad)).unwrap_err();
        assert_eq!(
            err.to_string(),
            Error::UnsupportedMethod.to_string(),
            "{bad:?}"
        );
    }
    for bad in [
        json!(null),
        json!(0),
        json!(["S256"]),
        json!({"S256": null}),
    ] {
        assert!(from_value::<ChallengeMethod>(bad.clone()).is_err(), "{bad}");
    }
}

#[test]
fn s256_challenge_has_the_request_parameter_shape() {
    let c = CodeVerifier::parse(B_VERIFIER).unwrap().challenge();
    assert_eq!(
        serde_json::to_string(&c).unwrap(),
        format!(r#"{{"code_challenge":"{B_CHALLENGE}","code_challenge_method":"S256"}}"#),
    );
}

#[test]
fn plain_challenge_has_the_request_parameter_shape() {
    let c = CodeChallenge::parse(B_VERIFIER, ChallengeMethod::Plain).unwrap();
    assert_eq!(
        serde_json::to_value(&c).unwrap(),
        json!({"code_challenge": B_VERIFIER, "code_challenge_method": "plain"}),
    );
}

#[test]
fn round_trip_both_methods_over_the_independent_vectors() {
    let mut count = 0;
    for (_, verifier, challenge) in vectors::s256_vectors() {
        count += 1;
        let v = CodeVerifier::parse(verifier).unwrap();
        for method in [ChallengeMethod::S256, ChallengeMethod::Plain] {
            let c = v.challenge_with(method);
            let text = serde_json::to_string(&c).unwrap();
            let back: CodeChallenge = serde_json::from_str(&text).unwrap();
            assert_eq!(back, c);
            assert_eq!(back.method(), method);
            assert_eq!(back.as_str(), c.as_str());
            assert_eq!(back.verify(verifier), Ok(()));
            if method == ChallengeMethod::S256 {
                assert_eq!(back.as_str(), challenge, "independent S256 vector");
            }
        }
    }
    assert_eq!(count, 256);
}

#[test]
fn field_order_and_borrowed_or_escaped_strings_do_not_matter() {
    let expected = CodeChallenge::parse(B_CHALLENGE, ChallengeMethod::S256).unwrap();
    // method first
    let text = format!(r#"{{"code_challenge_method":"S256","code_challenge":"{B_CHALLENGE}"}}"#);
    assert_eq!(
        serde_json::from_str::<CodeChallenge>(&text).unwrap(),
        expected
    );
    // JSON escapes force serde_json to hand out a transient, unescaped copy
    // rather than a borrowed slice of the input.
    let escaped = B_CHALLENGE.replace('E', "\\u0045");
    let text = format!(r#"{{"code_challenge":"{escaped}","code_challenge_method":"\u0053256"}}"#);
    assert_eq!(
        serde_json::from_str::<CodeChallenge>(&text).unwrap(),
        expected
    );
    // from a reader: never borrowed
    let text = format!(r#"{{"code_challenge":"{B_CHALLENGE}","code_challenge_method":"S256"}}"#);
    assert_eq!(
        serde_json::from_reader::<_, CodeChallenge>(text.as_bytes()).unwrap(),
        expected
    );
    // formats that write a struct as a sequence
    assert_eq!(
        from_value::<CodeChallenge>(json!([B_CHALLENGE, "S256"])).unwrap(),
        expected
    );
}

#[test]
fn a_plain_record_is_never_read_as_s256_or_back() {
    // The same string is a valid plain value and a valid S256 value: the
    // stored method decides, and the two are different challenges.
    let as_plain: CodeChallenge =
        from_value(json!({"code_challenge": B_CHALLENGE, "code_challenge_method": "plain"}))
            .unwrap();
    let as_s256: CodeChallenge =
        from_value(json!({"code_challenge": B_CHALLENGE, "code_challenge_method": "S256"}))
            .unwrap();
    assert_eq!(as_plain.method(), ChallengeMethod::Plain);
    assert_ne!(as_plain, as_s256);
    assert_eq!(as_plain.verify(B_CHALLENGE), Ok(()));
    assert_eq!(as_s256.verify(B_CHALLENGE), Err(Error::Mismatch));
    assert_eq!(as_s256.verify(B_VERIFIER), Ok(()));
}

/// How a server stores the binding with its code.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct CodeRecord {
    client_id: String,
    redirect_uri: String,
    pkce: Option<CodeChallenge>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct FlatRecord {
    client_id: String,
    #[serde(flatten)]
    pkce: CodeChallenge,
}

#[test]
fn embeds_in_a_server_record_as_a_field() {
    let c = CodeChallenge::parse(B_CHALLENGE, ChallengeMethod::S256).unwrap();
    let record = CodeRecord {
        client_id: "app".into(),
        redirect_uri: "http://127.0.0.1/cb".into(),
        pkce: Some(c),
    };
    let text = serde_json::to_string(&record).unwrap();
    let back: CodeRecord = serde_json::from_str(&text).unwrap();
    assert_eq!(back.pkce.unwrap().verify(B_VERIFIER), Ok(()));

    // A tampered record fails as a whole: no silent `pkce: None`.
    let tampered = text
        .replace("\"S256\"", "\"plain\"")
        .replace(B_CHALLENGE, "short");
    assert!(serde_json::from_str::<CodeRecord>(&tampered).is_err());
}

#[test]
fn embeds_in_a_server_record_flattened() {
    let c = CodeChallenge::parse(B_VERIFIER, ChallengeMethod::Plain).unwrap();
    let record = FlatRecord {
        client_id: "app".into(),
        pkce: c,
    };
    let value = serde_json::to_value(&record).unwrap();
    assert_eq!(
        value,
        json!({"client_id": "app", "code_challenge": B_VERIFIER, "code_challenge_method": "plain"}),
    );
    let back: FlatRecord = from_value(value).unwrap();
    assert_eq!(back.pkce.method(), ChallengeMethod::Plain);
    assert_eq!(back.pkce.verify(B_VERIFIER), Ok(()));
    // The flattened record still needs its method.
    let err = from_value::<FlatRecord>(json!({"client_id": "app", "code_challenge": B_VERIFIER}))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("missing field `code_challenge_method`"),
        "{err}"
    );
}

/// `CodeVerifier` implements neither `Serialize` nor `Deserialize`.
///
/// If it implemented `Serialize`, `AmbiguousIfImpl<_>` would have two impls
/// for it (`<()>` and `<Serialize>`), the `_` could not be inferred, and
/// this file would not compile. (The trick of `static_assertions::assert_not_impl_any!`.)
#[allow(dead_code)]
mod code_verifier_has_no_serde_impls {
    use proofkey::CodeVerifier;

    trait AmbiguousIfImpl<A> {
        fn some_item() {}
    }
    impl<T: ?Sized> AmbiguousIfImpl<()> for T {}

    struct Serialize;
    impl<T: ?Sized + serde::Serialize> AmbiguousIfImpl<Serialize> for T {}
    struct Deserialize;
    impl<T: serde::de::DeserializeOwned> AmbiguousIfImpl<Deserialize> for T {}

    const _: fn() = || {
        let _ = <CodeVerifier as AmbiguousIfImpl<_>>::some_item;
    };
}

/// Formats that name fields by index (or by some other type) go through
/// `deserialize_identifier` with integers: serde's own value deserializers
/// stand in for them here.
#[test]
fn fields_identified_by_index() {
    use serde::Deserialize;
    use serde::de::value::{Error as ValueError, MapDeserializer};

    let by_index = |pairs: Vec<(u64, &'static str)>| {
        CodeChallenge::deserialize(MapDeserializer::<_, ValueError>::new(pairs.into_iter()))
    };
    const C: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let c = by_index(vec![(0, C), (1, "S256")]).unwrap();
    assert_eq!((c.as_str(), c.method()), (C, ChallengeMethod::S256));
    let c = by_index(vec![
        (1, "plain"),
        (0, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
    ])
    .unwrap();
    assert_eq!(c.method(), ChallengeMethod::Plain);
    let err = by_index(vec![(0, C), (2, "S256")]).unwrap_err().to_string();
    assert!(err.contains("field index 0 or 1"), "{err}");
    // A key of another type says which names are expected.
    let err = CodeChallenge::deserialize(MapDeserializer::<_, ValueError>::new(
        vec![(true, C)].into_iter(),
    ))
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("expected `code_challenge` or `code_challenge_method`"),
        "{err}"
    );
}

#[test]
fn flattened_record_next_to_other_fields() {
    // Under `#[serde(flatten)]` the challenge sees only its own two fields,
    // with other fields of the record around and between them.
    let text = format!(
        r#"{{"code_challenge_method":"S256","client_id":"app","code_challenge":"{B_CHALLENGE}"}}"#
    );
    let back: FlatRecord = serde_json::from_str(&text).unwrap();
    assert_eq!(back.client_id, "app");
    assert_eq!(back.pkce.verify(B_VERIFIER), Ok(()));
}
