//! `Policy` against a model written from its documentation: authorize, then
//! token with the bound challenge, the `_params` variants, and the error
//! codes and descriptions.
#![no_main]

mod common;

use arbitrary::Arbitrary;
use common::{
    expected_challenge_error, expected_verifier_error, is_error_description, is_verifier, transform,
};
use libfuzzer_sys::fuzz_target;
use proofkey::{
    AuthorizeError, ChallengeMethod, ClientType, CodeChallenge, CodeVerifier, MissingMethod,
    Policy, TokenError,
};

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Preset {
    Production,
    Development,
    Oauth21,
    Fapi2,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Client {
    Public,
    Confidential,
}

/// Which client secret a value is made from.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Source {
    /// The client's verifier, from `key`.
    Key,
    /// Another verifier, from `other_key`.
    OtherKey,
    /// The characters of the client's verifier repeated to `n % 140`
    /// characters: lengths around 43 and 128 on both sides.
    Sized(u8),
}

/// A parameter value, biased so that valid values appear often.
#[derive(Arbitrary, Debug, Clone)]
enum Value {
    Raw(String),
    Empty,
    Verifier(Source),
    S256Challenge(Source),
    PlainChallenge(Source),
    S256,
    Plain,
}

#[derive(Arbitrary, Debug, Clone)]
enum Name {
    CodeChallenge,
    CodeChallengeMethod,
    CodeVerifier,
    Other(String),
}

/// `MissingMethod`, drawn by the fuzzer.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Missing {
    Reject,
    Plain,
    S256,
}

impl Missing {
    fn policy(self) -> MissingMethod {
        match self {
            Self::Reject => MissingMethod::Reject,
            Self::Plain => MissingMethod::Plain,
            Self::S256 => MissingMethod::S256,
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    preset: Preset,
    require_for_confidential: Option<bool>,
    allow_plain: Option<bool>,
    missing_method: Option<Missing>,
    /// A change of `allow_plain` between the authorization and token requests.
    token_allow_plain: Option<bool>,
    client: Client,
    key: [u8; 32],
    other_key: [u8; 32],
    challenge: Option<Value>,
    method: Option<Value>,
    verifier: Option<Value>,
    /// Sent after the PKCE parameters above.
    extra_authorize_params: Vec<(Name, Value)>,
    extra_token_params: Vec<(Name, Value)>,
}

/// What the policy should be, from the documented presets and builders.
#[derive(Clone, Copy)]
struct Model {
    require_for_confidential: bool,
    allow_plain: bool,
    missing_method: Missing,
}

impl Model {
    fn requires_pkce(self, client: ClientType) -> bool {
        match client {
            ClientType::Public => true,
            ClientType::Confidential => self.require_for_confidential,
        }
    }

    fn authorize(
        self,
        client: ClientType,
        challenge: Option<&str>,
        method: Option<&str>,
    ) -> Result<Option<(ChallengeMethod, String)>, AuthorizeError> {
        let challenge = challenge.filter(|s| !s.is_empty());
        let method = method.filter(|s| !s.is_empty());
        let Some(challenge) = challenge else {
            return match (method, self.requires_pkce(client)) {
                (Some(_), _) => Err(AuthorizeError::MethodWithoutChallenge),
                (None, true) => Err(AuthorizeError::ChallengeRequired),
                (None, false) => Ok(None),
            };
        };
        let method = match method {
            // A missing method follows `missing_method` alone; RFC 7636
            // §4.3's plain still needs plain to be allowed.
            None => match self.missing_method {
                Missing::Plain if self.allow_plain => ChallengeMethod::Plain,
                Missing::S256 => ChallengeMethod::S256,
                Missing::Reject | Missing::Plain => return Err(AuthorizeError::MethodRequired),
            },
            Some("S256") => ChallengeMethod::S256,
            Some("plain") => ChallengeMethod::Plain,
            Some(_) => return Err(AuthorizeError::UnsupportedMethod),
        };
        if method == ChallengeMethod::Plain && !self.allow_plain {
            return Err(AuthorizeError::MethodNotAllowed);
        }
        match expected_challenge_error(method, challenge.as_bytes()) {
            Some(e) => Err(AuthorizeError::MalformedChallenge(e)),
            None => Ok(Some((method, challenge.to_owned()))),
        }
    }

    fn token(
        self,
        client: ClientType,
        bound: Option<&CodeChallenge>,
        verifier: Option<&str>,
    ) -> Result<(), TokenError> {
        let verifier = verifier.filter(|s| !s.is_empty());
        match (bound, verifier) {
            (Some(c), _) if c.method() == ChallengeMethod::Plain && !self.allow_plain => {
                Err(TokenError::MethodNotAllowed)
            }
            (Some(_), None) => Err(TokenError::VerifierRequired),
            (None, Some(_)) => Err(TokenError::UnexpectedVerifier),
            (None, None) if self.requires_pkce(client) => Err(TokenError::PkceRequired),
            (None, None) => Ok(()),
            (Some(c), Some(v)) => match expected_verifier_error(v.as_bytes()) {
                Some(e) => Err(TokenError::MalformedVerifier(e)),
                None if transform(c.method(), v.as_bytes()) == c.as_str().as_bytes() => Ok(()),
                None => Err(TokenError::Mismatch),
            },
        }
    }
}

struct Secrets {
    key: CodeVerifier,
    other: CodeVerifier,
}

impl Secrets {
    fn source(&self, s: Source) -> String {
        match s {
            Source::Key => self.key.secret().to_owned(),
            Source::OtherKey => self.other.secret().to_owned(),
            Source::Sized(n) => self
                .key
                .secret()
                .chars()
                .cycle()
                .take(usize::from(n) % 140)
                .collect(),
        }
    }

    fn value(&self, v: &Value) -> String {
        match v {
            Value::Raw(s) => s.clone(),
            Value::Empty => String::new(),
            Value::Verifier(s) | Value::PlainChallenge(s) => self.source(*s),
            Value::S256Challenge(s) => {
                String::from_utf8(transform(ChallengeMethod::S256, self.source(*s).as_bytes()))
                    .expect("ASCII")
            }
            Value::S256 => "S256".to_owned(),
            Value::Plain => "plain".to_owned(),
        }
    }
}

fn name(n: &Name) -> &str {
    match n {
        Name::CodeChallenge => "code_challenge",
        Name::CodeChallengeMethod => "code_challenge_method",
        Name::CodeVerifier => "code_verifier",
        Name::Other(s) => s,
    }
}

/// The one value of `wanted` in `params`, and how many times it appears.
fn lookup<'a>(params: &[(&'a str, &'a str)], wanted: &str) -> (Option<&'a str>, usize) {
    let mut found = params.iter().filter(|(n, _)| *n == wanted).map(|(_, v)| *v);
    let first = found.next();
    (first, usize::from(first.is_some()) + found.count())
}

fn same_authorize(
    a: &Result<Option<CodeChallenge>, AuthorizeError>,
    b: &Result<Option<CodeChallenge>, AuthorizeError>,
) -> bool {
    match (a, b) {
        (Ok(Some(x)), Ok(Some(y))) => {
            x == y && x.as_str() == y.as_str() && x.method() == y.method()
        }
        (Ok(None), Ok(None)) => true,
        (Err(x), Err(y)) => x == y,
        _ => false,
    }
}

/// The checks every error must pass; `secrets` must never appear in it.
fn check_authorize_error(e: &AuthorizeError, secrets: &[&str]) {
    assert_eq!(e.error_code(), "invalid_request");
    check_text(e.description(), &e.to_string(), &format!("{e:?}"), secrets);
}

fn check_token_error(e: &TokenError, secrets: &[&str]) {
    let code = if *e == TokenError::RepeatedVerifier {
        "invalid_request"
    } else {
        "invalid_grant"
    };
    assert_eq!(e.error_code(), code, "{e:?}");
    check_text(e.description(), &e.to_string(), &format!("{e:?}"), secrets);
}

fn check_text(description: &str, display: &str, debug: &str, secrets: &[&str]) {
    assert!(
        is_error_description(description),
        "bad error_description {description:?}"
    );
    assert_eq!(display, description);
    // Only verifier-shaped secrets: no fixed text has 43 unreserved
    // characters in a row, so finding one there is a leak, never chance.
    for s in secrets.iter().filter(|s| is_verifier(s.as_bytes())) {
        assert!(
            !description.contains(s) && !debug.contains(s),
            "{debug} leaks {s:?}"
        );
    }
}

fn preset(p: Preset) -> (Policy, Model) {
    match p {
        Preset::Production => (
            Policy::production(),
            Model {
                require_for_confidential: false,
                allow_plain: false,
                missing_method: Missing::Reject,
            },
        ),
        Preset::Development => (
            Policy::development(),
            Model {
                require_for_confidential: false,
                allow_plain: true,
                missing_method: Missing::Plain,
            },
        ),
        // OAuth 2.1: every client, S256 only, a missing method means S256.
        Preset::Oauth21 => (
            Policy::oauth21(),
            Model {
                require_for_confidential: true,
                allow_plain: false,
                missing_method: Missing::S256,
            },
        ),
        // FAPI 2.0: every client, S256 only and named.
        Preset::Fapi2 => (
            Policy::fapi2(),
            Model {
                require_for_confidential: true,
                allow_plain: false,
                missing_method: Missing::Reject,
            },
        ),
    }
}

fuzz_target!(|input: Input| {
    let (mut policy, mut model) = preset(input.preset);
    if let Some(r) = input.require_for_confidential {
        policy = policy.require_for_confidential(r);
        model.require_for_confidential = r;
    }
    if let Some(a) = input.allow_plain {
        policy = policy.allow_plain(a);
        model.allow_plain = a;
    }
    if let Some(m) = input.missing_method {
        policy = policy.missing_method(m.policy());
        model.missing_method = m;
    }
    let (mut token_policy, mut token_model) = (policy, model);
    if let Some(a) = input.token_allow_plain {
        token_policy = token_policy.allow_plain(a);
        token_model.allow_plain = a;
    }
    let client = match input.client {
        Client::Public => ClientType::Public,
        Client::Confidential => ClientType::Confidential,
    };

    // The policy's own answers.
    assert_eq!(Policy::default(), Policy::production());
    for (p, m) in [(policy, model), (token_policy, token_model)] {
        assert!(p.requires_pkce(ClientType::Public));
        assert_eq!(
            p.requires_pkce(ClientType::Confidential),
            m.require_for_confidential
        );
        assert!(p.allows(ChallengeMethod::S256));
        assert_eq!(p.allows(ChallengeMethod::Plain), m.allow_plain);
        let supported: &[&str] = if m.allow_plain {
            &["S256", "plain"]
        } else {
            &["S256"]
        };
        assert_eq!(p.methods_supported(), supported);
    }

    let secrets = Secrets {
        key: CodeVerifier::from_random_bytes(&input.key),
        other: CodeVerifier::from_random_bytes(&input.other_key),
    };
    let challenge = input.challenge.as_ref().map(|v| secrets.value(v));
    let method = input.method.as_ref().map(|v| secrets.value(v));
    let verifier = input.verifier.as_ref().map(|v| secrets.value(v));
    let mut leakable = vec![secrets.key.secret(), secrets.other.secret()];
    leakable.extend(challenge.as_deref());
    leakable.extend(verifier.as_deref());

    // Authorization endpoint.
    let authorized = policy.authorize(client, challenge.as_deref(), method.as_deref());
    let expected = model.authorize(client, challenge.as_deref(), method.as_deref());
    match (&authorized, &expected) {
        (Ok(Some(c)), Ok(Some((m, s)))) => assert!(c.method() == *m && c.as_str() == s),
        (Ok(None), Ok(None)) => {}
        (Err(e), Err(x)) => assert_eq!(e, x),
        _ => panic!("authorize: got {authorized:?}, model says {expected:?}"),
    }
    let has_challenge = challenge.as_deref().is_some_and(|s| !s.is_empty());
    if has_challenge {
        assert!(!matches!(authorized, Ok(None)), "a challenge was dropped");
    } else if matches!(authorized, Ok(None)) {
        assert!(
            !policy.requires_pkce(client),
            "PKCE skipped for a client that requires it"
        );
    }
    if let Err(e) = &authorized {
        check_authorize_error(e, &leakable);
    }

    // The same request as (name, value) pairs.
    let extra: Vec<(String, String)> = input
        .extra_authorize_params
        .iter()
        .map(|(n, v)| (name(n).to_owned(), secrets.value(v)))
        .collect();
    let mut params: Vec<(&str, &str)> = Vec::new();
    params.extend(challenge.as_deref().map(|v| ("code_challenge", v)));
    params.extend(method.as_deref().map(|v| ("code_challenge_method", v)));
    params.extend(extra.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let (p_challenge, n_challenge) = lookup(&params, "code_challenge");
    let (p_method, n_method) = lookup(&params, "code_challenge_method");
    let from_params = policy.authorize_params(client, params.iter().copied());
    match (n_challenge > 1, n_method > 1) {
        (false, false) => {
            let direct = policy.authorize(client, p_challenge, p_method);
            assert!(
                same_authorize(&from_params, &direct),
                "authorize_params {from_params:?} != authorize {direct:?}"
            );
        }
        (true, false) => assert_eq!(
            from_params.as_ref().err(),
            Some(&AuthorizeError::RepeatedChallenge)
        ),
        (false, true) => assert_eq!(
            from_params.as_ref().err(),
            Some(&AuthorizeError::RepeatedMethod)
        ),
        (true, true) => assert!(matches!(
            from_params,
            Err(AuthorizeError::RepeatedChallenge | AuthorizeError::RepeatedMethod)
        )),
    }
    if let Err(e) = &from_params {
        check_authorize_error(e, &leakable);
    }

    // Token endpoint: the bound challenge, and others a server could hold
    // (the client's own challenges, bound under any policy).
    let mut bindings: Vec<Option<CodeChallenge>> = vec![None];
    if let Ok(Some(c)) = authorized {
        bindings.push(Some(c));
    }
    bindings.push(Some(secrets.key.challenge()));
    bindings.push(Some(secrets.key.challenge_with(ChallengeMethod::Plain)));

    let token_extra: Vec<(String, String)> = input
        .extra_token_params
        .iter()
        .map(|(n, v)| (name(n).to_owned(), secrets.value(v)))
        .collect();
    let mut token_params: Vec<(&str, &str)> = Vec::new();
    token_params.extend(verifier.as_deref().map(|v| ("code_verifier", v)));
    token_params.extend(token_extra.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let (p_verifier, n_verifier) = lookup(&token_params, "code_verifier");

    for bound in &bindings {
        let bound = bound.as_ref();
        for v in [
            verifier.as_deref(),
            None,
            Some(""),
            Some(secrets.key.secret()),
            Some(secrets.other.secret()),
        ] {
            let got = token_policy.token(client, bound, v);
            assert_eq!(
                got,
                token_model.token(client, bound, v),
                "token({bound:?}, {v:?})"
            );
            let present = v.is_some_and(|s| !s.is_empty());
            match (bound, present) {
                // The downgrade rule (RFC 9700 §4.8.2), for every client and policy.
                (None, true) => assert_eq!(got, Err(TokenError::UnexpectedVerifier)),
                // Neither challenge nor verifier: only where PKCE is optional.
                (None, false) => assert_eq!(got.is_ok(), !token_policy.requires_pkce(client)),
                (Some(c), true) => {
                    let allowed = token_policy.allows(c.method());
                    assert_eq!(
                        got.is_ok(),
                        allowed && c.verify(v.unwrap_or_default()).is_ok()
                    );
                }
                (Some(_), false) => {
                    assert!(got.is_err(), "a bound challenge without verifier passed")
                }
            }
            if let Err(e) = &got {
                check_token_error(e, &leakable);
            }
        }

        let from_params = token_policy.token_params(client, bound, token_params.iter().copied());
        if n_verifier > 1 {
            assert_eq!(from_params, Err(TokenError::RepeatedVerifier));
        } else {
            assert_eq!(from_params, token_policy.token(client, bound, p_verifier));
        }
        if let Err(e) = &from_params {
            check_token_error(e, &leakable);
        }
    }
});
