//! The library's own `Arbitrary` impls (feature `arbitrary`) driving an
//! authorization and a token endpoint, as a user's fuzz target would: every
//! generated value is valid by the independent reference predicates, and for
//! any policy, client type and method, the holder of the verifier gets a
//! token exactly when the policy allows the method, nobody else does, and no
//! error shows a verifier. The input is drawn by hand, not through a derived
//! struct, so that a failing impl or a wrong `size_hint` is a crash rather
//! than an input libFuzzer skips.
#![no_main]

mod common;

use arbitrary::{Arbitrary, Unstructured};
use common::{is_challenge, is_verifier, transform};
use libfuzzer_sys::fuzz_target;
use proofkey::{
    AuthorizeError, ChallengeMethod, ClientType, CodeChallenge, CodeVerifier, Policy, TokenError,
};

/// A parameter sent after the client's own `code_verifier`.
#[derive(Arbitrary, Debug)]
enum Extra {
    /// `code_verifier` again: the client's own (`None`) or another one.
    Verifier(Option<CodeVerifier>),
    Raw(String, String),
}

/// Draws a `T` and checks the bytes it took against `T::size_hint`: never
/// more than the upper bound, and at least the lower one when there was
/// enough input. The library's impls never fail, whatever the input.
fn draw<'a, T: Arbitrary<'a>>(u: &mut Unstructured<'a>, what: &str) -> T {
    let before = u.len();
    let value = T::arbitrary(u).unwrap_or_else(|e| panic!("{what}::arbitrary failed: {e}"));
    let used = before - u.len();
    let (lower, upper) = T::size_hint(0);
    assert!(
        upper.is_some_and(|upper| used <= upper),
        "{what} took {used} bytes"
    );
    assert!(
        used >= lower || before < upper.unwrap_or(0),
        "{what} took {used} bytes"
    );
    value
}

/// Whether `token` may succeed: no PKCE on either side where the client
/// may skip it, or an allowed binding and the verifier that transforms to it.
fn may_pass(
    policy: &Policy,
    client: ClientType,
    bound: Option<&CodeChallenge>,
    v: Option<&str>,
) -> bool {
    match (bound, v) {
        (None, None) => !policy.requires_pkce(client),
        (Some(c), Some(v)) => {
            policy.allows(c.method())
                && transform(c.method(), v.as_bytes()) == c.as_str().as_bytes()
        }
        _ => false,
    }
}

fn assert_no_leak(text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "{text:?} shows a verifier");
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let policy: Policy = draw(&mut u, "Policy");
    let client: ClientType = draw(&mut u, "ClientType");
    let verifier: CodeVerifier = draw(&mut u, "CodeVerifier");
    let method: ChallengeMethod = draw(&mut u, "ChallengeMethod");
    // An attacker's verifier, and a challenge the server holds for some other code.
    let guess: CodeVerifier = draw(&mut u, "CodeVerifier");
    let foreign: CodeChallenge = draw(&mut u, "CodeChallenge");
    // Only the derived part may fail (a `String` needs valid UTF-8).
    let extra: Vec<Extra> = Vec::arbitrary_take_rest(u).unwrap_or_default();
    let secret = verifier.secret();
    let secrets = [secret, guess.secret()];

    // The generated values are valid, by the reference predicates.
    for v in [&verifier, &guess] {
        assert!(is_verifier(v.secret().as_bytes()), "{:?}", v.secret());
        assert_eq!(
            CodeVerifier::parse(v.secret()).map(|p| p.secret() == v.secret()),
            Ok(true)
        );
    }
    assert!(
        is_challenge(foreign.method(), foreign.as_str().as_bytes()),
        "{foreign:?}"
    );
    assert_eq!(
        CodeChallenge::parse(foreign.as_str(), foreign.method()).as_ref(),
        Ok(&foreign)
    );

    // Authorization endpoint: the client's challenge is bound iff its method is allowed.
    let sent = verifier.challenge_with(method);
    assert_eq!(
        sent.as_str().as_bytes(),
        transform(method, secret.as_bytes())
    );
    let bound = policy.authorize(client, Some(sent.as_str()), Some(method.as_str()));
    if policy.allows(method) {
        assert_eq!(bound.as_ref().ok().and_then(Option::as_ref), Some(&sent));
    } else {
        assert_eq!(bound, Err(AuthorizeError::MethodNotAllowed));
    }

    // Token endpoint, for every binding a server could hold and every
    // verifier an attacker or the client could present.
    for binding in [Some(&sent), Some(&foreign), None] {
        for presented in [Some(secret), Some(guess.secret()), None] {
            let got = policy.token(client, binding, presented);
            assert_eq!(
                got.is_ok(),
                may_pass(&policy, client, binding, presented),
                "token({binding:?}, {}) = {got:?}",
                if presented == Some(secret) {
                    "the verifier"
                } else {
                    "other"
                },
            );
            if let Err(e) = got {
                assert_no_leak(&format!("{e} {e:?} {}", e.description()), &secrets);
            }
        }
    }

    // The same request as a form, with the extra parameters after it.
    let mut form = vec![
        ("grant_type".to_owned(), "authorization_code".to_owned()),
        ("code_verifier".to_owned(), secret.to_owned()),
    ];
    form.extend(extra.iter().map(|e| match e {
        Extra::Verifier(None) => ("code_verifier".to_owned(), secret.to_owned()),
        Extra::Verifier(Some(v)) => ("code_verifier".to_owned(), v.secret().to_owned()),
        Extra::Raw(n, v) => (n.clone(), v.clone()),
    }));
    let repeated = form.iter().filter(|(n, _)| n == "code_verifier").count() > 1;
    let pairs = form.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    let got = policy.token_params(client, Some(&sent), pairs);
    if repeated {
        assert_eq!(got, Err(TokenError::RepeatedVerifier));
    } else {
        assert_eq!(got, policy.token(client, Some(&sent), Some(secret)));
        assert_eq!(got.is_ok(), policy.allows(method));
    }
});
