//! `ChallengeMethod::negotiate`: S256 from the server's RFC 8414
//! `code_challenge_methods_supported`, or a refusal; never plain.

use proofkey::{ChallengeMethod, FlowError};

const NONE: Option<[&str; 0]> = None;

#[test]
fn s256_listed_anywhere_is_chosen() {
    for list in [
        &["S256"][..],
        &["plain", "S256"],
        &["S256", "plain"],
        &["S256", "S256"],
        &["foo", "S256", "bar"],
    ] {
        assert_eq!(
            ChallengeMethod::negotiate(Some(list)),
            Ok(ChallengeMethod::S256),
            "{list:?}"
        );
        assert_eq!(
            ChallengeMethod::negotiate_legacy(Some(list)),
            Ok(ChallengeMethod::S256)
        );
    }
}

#[test]
fn absent_empty_or_plain_only_is_refused() {
    assert_eq!(
        ChallengeMethod::negotiate(NONE),
        Err(FlowError::MethodsNotAdvertised)
    );
    for list in [
        &[][..],
        &["plain"],
        &["plain", "plain"],
        // RFC 7636 §6.2.1: names are case-sensitive; nothing is trimmed.
        &["s256"],
        &["S256 "],
        &[" S256"],
        &["S-256"],
        &["SHA256"],
        &["S256\0"],
        &["S256,plain"],
        &[""],
    ] {
        assert_eq!(
            ChallengeMethod::negotiate(Some(list)),
            Err(FlowError::S256NotAdvertised),
            "{list:?}"
        );
        // The legacy opt-in reads a present list just as strictly.
        assert_eq!(
            ChallengeMethod::negotiate_legacy(Some(list)),
            Err(FlowError::S256NotAdvertised),
            "{list:?}"
        );
    }
}

#[test]
fn legacy_assumes_s256_only_when_the_field_is_absent() {
    assert_eq!(
        ChallengeMethod::negotiate_legacy(NONE),
        Ok(ChallengeMethod::S256)
    );
}

#[test]
fn accepts_the_shapes_metadata_comes_in() {
    // serde_json: a parsed metadata document.
    let meta: serde_json::Value = serde_json::from_str(
        r#"{"issuer":"https://as.example","code_challenge_methods_supported":["plain","S256"]}"#,
    )
    .unwrap();
    let methods = meta["code_challenge_methods_supported"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()));
    assert_eq!(
        ChallengeMethod::negotiate(methods),
        Ok(ChallengeMethod::S256)
    );
    let absent = meta["no_such_field"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()));
    assert_eq!(
        ChallengeMethod::negotiate(absent),
        Err(FlowError::MethodsNotAdvertised)
    );

    // Owned strings, a borrowed slice, a Vec by value.
    let owned: Option<Vec<String>> = Some(vec!["plain".into(), "S256".into()]);
    assert_eq!(
        ChallengeMethod::negotiate(owned.as_deref()),
        Ok(ChallengeMethod::S256)
    );
    assert_eq!(
        ChallengeMethod::negotiate(owned.clone()),
        Ok(ChallengeMethod::S256)
    );
    let plain_only: Option<Vec<String>> = Some(vec!["plain".into()]);
    assert_eq!(
        ChallengeMethod::negotiate(plain_only.as_ref()),
        Err(FlowError::S256NotAdvertised)
    );
}

#[test]
fn the_result_is_never_plain() {
    // Every list of up to three names from a small alphabet.
    let names = ["S256", "plain", "s256", "", "PLAIN"];
    for a in 0..=names.len() {
        for b in 0..=names.len() {
            for c in 0..=names.len() {
                let list: Vec<&str> = [a, b, c]
                    .iter()
                    .filter_map(|&i| names.get(i).copied())
                    .collect();
                let has = list.contains(&"S256");
                let got = ChallengeMethod::negotiate(Some(&list));
                assert_eq!(got.is_ok(), has, "{list:?}");
                assert_ne!(got, Ok(ChallengeMethod::Plain));
            }
        }
    }
}
