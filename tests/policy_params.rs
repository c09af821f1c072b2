//! `authorize_params` and `token_params` take the pairs of any parser:
//! `form_urlencoded::parse`, owned or borrowed `(String, String)`, slices of
//! `(&str, &str)`, a map's iterator. Each gives the same answer as the
//! decoded `(&str, &str)` pairs, and that answer is `authorize`/`token` on
//! the one value, or the repeat error. `authorize_query` and `token_form`,
//! given the raw text, answer as the pairs do.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use proofkey::{
    AuthorizeError, ChallengeMethod, ClientType, CodeChallenge, Param, Policy, TokenError,
};

#[path = "support/policies.rs"]
mod policies;
#[path = "support/vectors.rs"]
mod vectors;
use policies::{CLIENTS, plain, policies, s256};
use vectors::{RFC_CHALLENGE as C, RFC_VERIFIER as V};

/// Token request bodies: plain, repeated, empty, absent, percent-encoded
/// names and values, `+` for a space.
fn token_bodies() -> Vec<String> {
    vec![
        format!("grant_type=authorization_code&code=abc&code_verifier={V}"),
        format!("code_verifier={V}&grant_type=authorization_code&code_verifier={V}"),
        format!("code_verifier=&code_verifier={V}"),
        "code_verifier=".to_owned(),
        "grant_type=authorization_code&code=abc".to_owned(),
        format!("code%5Fverifier={V}"),
        format!("code_verifier=%64{}", &V[1..]),
        format!("code_verifier={}+", &V[..42]),
        format!("code_verifier={C}&code_challenge_method=plain"),
        format!("code_verifier={C}"),
    ]
}

fn authorize_bodies() -> Vec<String> {
    vec![
        format!("response_type=code&code_challenge={C}&code_challenge_method=S256&state=x"),
        format!("code_challenge={C}&code_challenge_method=S256&code_challenge={C}"),
        format!("code_challenge_method=S256&code_challenge={C}&code_challenge_method=plain"),
        format!("code_challenge={V}&code_challenge_method=plain"),
        format!("code_challenge={C}"),
        format!("code_challenge=&code_challenge={C}&code_challenge_method=S256"),
        "code_challenge_method=S256".to_owned(),
        "response_type=code&client_id=spa".to_owned(),
        format!("code%5Fchallenge={C}&code_challenge_method=S%32%356"),
        format!("code_challenge={C}&code_challenge_method=S256+"),
    ]
}

fn decoded(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

/// The one value of `name`, or `Err` if it is repeated.
fn single<'a>(pairs: &'a [(&'a str, &'a str)], name: &str) -> Result<Option<&'a str>, ()> {
    let mut values = pairs.iter().filter(|(n, _)| *n == name).map(|(_, v)| *v);
    let first = values.next();
    match values.next() {
        Some(_) => Err(()),
        None => Ok(first),
    }
}

#[test]
fn token_params_takes_any_parsers_pairs() {
    let bindings = [None, Some(s256()), Some(plain())];
    for (name, p) in policies() {
        for client in CLIENTS {
            for bound in bindings.iter().map(Option::as_ref) {
                for body in token_bodies() {
                    let owned = decoded(&body);
                    let strs: Vec<(&str, &str)> = owned
                        .iter()
                        .map(|(n, v)| (n.as_str(), v.as_str()))
                        .collect();
                    let expected = match single(&strs, "code_verifier") {
                        Err(()) => Err(TokenError::RepeatedVerifier),
                        Ok(v) => p.token(client, bound, v),
                    };
                    let cows: Vec<(Cow<'_, str>, Cow<'_, str>)> =
                        form_urlencoded::parse(body.as_bytes()).collect();
                    let what = format!("{name} {client:?} {bound:?} {body}");
                    for got in [
                        p.token_params(client, bound, form_urlencoded::parse(body.as_bytes())),
                        p.token_params(client, bound, owned.clone()),
                        p.token_params(client, bound, &owned),
                        p.token_params(client, bound, owned.iter()),
                        p.token_params(client, bound, strs.as_slice()),
                        p.token_params(client, bound, strs.iter().copied()),
                        p.token_params(client, bound, strs.clone()),
                        p.token_params(client, bound, cows),
                        // the raw body, decoded by the library itself
                        p.token_form(client, bound, &body),
                    ] {
                        assert_eq!(got, expected, "{what}");
                    }
                }
            }
        }
    }
}

#[test]
fn authorize_params_takes_any_parsers_pairs() {
    for (name, p) in policies() {
        for client in CLIENTS {
            for body in authorize_bodies() {
                let owned = decoded(&body);
                let strs: Vec<(&str, &str)> = owned
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                let expected = match (
                    single(&strs, "code_challenge"),
                    single(&strs, "code_challenge_method"),
                ) {
                    (Err(()), _) => Err(AuthorizeError::RepeatedChallenge),
                    (_, Err(())) => Err(AuthorizeError::RepeatedMethod),
                    (Ok(c), Ok(m)) => p.authorize(client, c, m),
                };
                let what = format!("{name} {client:?} {body}");
                for got in [
                    p.authorize_params(client, form_urlencoded::parse(body.as_bytes())),
                    p.authorize_params(client, owned.clone()),
                    p.authorize_params(client, &owned),
                    p.authorize_params(client, strs.as_slice()),
                    p.authorize_params(client, strs.iter().copied()),
                    // the raw query, decoded by the library itself
                    p.authorize_query(client, &body),
                ] {
                    assert_eq!(got, expected, "{what}");
                }
            }
        }
    }
}

// The "done when", as a server writes it.
#[test]
fn a_raw_form_body_and_its_owned_pairs() {
    let c = s256();
    let body = format!("grant_type=authorization_code&code=xyz&code_verifier={V}");
    let body = body.as_bytes();
    let p = Policy::production();
    assert_eq!(
        p.token_params(ClientType::Public, Some(&c), form_urlencoded::parse(body)),
        Ok(())
    );
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    assert_eq!(p.token_params(ClientType::Public, Some(&c), pairs), Ok(()));
    let wrong = format!("code_verifier={C}");
    assert_eq!(
        p.token_params(
            ClientType::Public,
            Some(&c),
            form_urlencoded::parse(wrong.as_bytes())
        ),
        Err(TokenError::Mismatch)
    );
    // A percent-decoded value is what is checked: `%2B` is `+`, outside the alphabet.
    let encoded = format!("code_verifier={}%2B", &V[..42]);
    assert!(matches!(
        p.token_params(
            ClientType::Public,
            Some(&c),
            form_urlencoded::parse(encoded.as_bytes())
        ),
        Err(TokenError::MalformedVerifier(_))
    ));
}

// A map works, but it has already dropped the repeats: the documented reason
// to pass the raw pairs.
#[test]
fn a_map_works_but_has_lost_repeats() {
    let p = Policy::production();
    let c = s256();
    let single: HashMap<String, String> = decoded(&format!("code=abc&code_verifier={V}"))
        .into_iter()
        .collect();
    assert_eq!(
        p.token_params(ClientType::Public, Some(&c), &single),
        Ok(())
    );
    assert_eq!(
        p.token_params(ClientType::Public, Some(&c), single.iter()),
        Ok(())
    );
    let sorted: BTreeMap<&str, &str> = [("code_verifier", OTHER), ("code", "abc")].into();
    assert_eq!(
        p.token_params(ClientType::Public, Some(&c), &sorted),
        Err(TokenError::Mismatch)
    );

    let query =
        format!("code_challenge={C}&code_challenge_method=plain&code_challenge_method=S256");
    let as_map: HashMap<String, String> = decoded(&query).into_iter().collect();
    assert_eq!(
        p.authorize_params(ClientType::Public, form_urlencoded::parse(query.as_bytes())),
        Err(AuthorizeError::RepeatedMethod)
    );
    // The map kept the last method and cannot tell that there were two.
    let from_map = p
        .authorize_params(ClientType::Public, &as_map)
        .unwrap()
        .unwrap();
    assert_eq!(from_map.method(), ChallengeMethod::S256);

    let body = format!("code_verifier={OTHER}&code_verifier={V}");
    let as_map: HashMap<String, String> = decoded(&body).into_iter().collect();
    assert_eq!(
        p.token_params(
            ClientType::Public,
            Some(&c),
            form_urlencoded::parse(body.as_bytes())
        ),
        Err(TokenError::RepeatedVerifier)
    );
    assert_eq!(
        p.token_params(ClientType::Public, Some(&c), &as_map),
        Ok(())
    );
}

const OTHER: &str = policies::OTHER_V;

#[test]
fn param_reads_tuples_and_references_to_them() {
    let owned = (String::from("code_verifier"), String::from(V));
    assert_eq!((owned.name(), owned.value()), ("code_verifier", V));
    let by_ref: &(String, String) = &owned;
    assert_eq!(
        (Param::name(&by_ref), Param::value(&by_ref)),
        ("code_verifier", V)
    );
    let refs = (&owned.0, &owned.1);
    assert_eq!((refs.name(), refs.value()), ("code_verifier", V));
    let cows = (Cow::Borrowed("a"), Cow::<str>::Owned("b".into()));
    assert_eq!((cows.name(), cows.value()), ("a", "b"));
    let mixed = ("code_challenge", String::from(C));
    assert_eq!((mixed.name(), mixed.value()), ("code_challenge", C));
    // The bound challenge compares with the value read through it.
    let bound = CodeChallenge::parse(C, ChallengeMethod::S256).unwrap();
    assert_eq!(bound.verify(owned.value()), Ok(()));
}
