//! Interoperability with the `oauth2` crate, the de-facto Rust OAuth client,
//! both ways: what `oauth2` generates passes `Policy`, and what `proofkey`
//! generates gives the same challenge under `oauth2` — directly and through
//! `oauth2`'s own authorization URL and token request body.

use std::cell::RefCell;
use std::convert::Infallible;

use oauth2::basic::BasicClient;
use oauth2::url::{Url, form_urlencoded};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, TokenUrl,
};
use proofkey::{ChallengeMethod, ClientType, CodeChallenge, CodeVerifier, Policy, TokenError};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

/// Random pairs per case: enough to cover the base64url alphabet in every
/// position many times over, cheap enough for a debug build.
const ROUNDS: usize = 64;

/// The server side: what `Policy::production()` binds to the code for this
/// authorization request, checked to be exactly oauth2's challenge.
fn bind(challenge: &PkceCodeChallenge) -> CodeChallenge {
    let bound = Policy::production()
        .authorize(
            ClientType::Public,
            Some(challenge.as_str()),
            Some(challenge.method().as_str()),
        )
        .expect("oauth2's challenge is accepted")
        .expect("a public client's code is bound");
    assert_eq!(bound.as_str(), challenge.as_str());
    assert_eq!(bound.method(), ChallengeMethod::S256);
    bound
}

#[test]
fn oauth2_random_sha256_pairs_pass_policy() {
    let policy = Policy::production();
    for _ in 0..ROUNDS {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        assert_eq!(verifier.secret().len(), 43);
        let bound = bind(&challenge);
        assert_eq!(
            policy.token(ClientType::Public, Some(&bound), Some(verifier.secret())),
            Ok(())
        );

        // and another client's verifier does not
        let (_, other) = PkceCodeChallenge::new_random_sha256();
        assert_eq!(
            policy.token(ClientType::Public, Some(&bound), Some(other.secret())),
            Err(TokenError::Mismatch),
        );
    }
}

#[test]
fn oauth2_random_sha256_every_length_passes_policy() {
    let policy = Policy::production();
    // oauth2 accepts 32..=96 random octets: verifiers of 43..=128 characters.
    for num_bytes in 32..=96u32 {
        for _ in 0..4 {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256_len(num_bytes);
            let len = verifier.secret().len();
            assert_eq!(len, (num_bytes as usize * 4).div_ceil(3));
            let bound = bind(&challenge);
            assert_eq!(
                CodeVerifier::parse(verifier.secret()).unwrap().challenge(),
                bound
            );
            assert_eq!(
                policy.token(ClientType::Public, Some(&bound), Some(verifier.secret())),
                Ok(()),
                "{num_bytes} octets, {len} characters",
            );
        }
    }
}

/// oauth2's S256 challenge for a proofkey verifier equals proofkey's own.
fn assert_same_challenge(verifier: &CodeVerifier) {
    let theirs = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
        verifier.secret().to_string(),
    ));
    let ours = verifier.challenge();
    assert_eq!(
        ours.as_str(),
        theirs.as_str(),
        "verifier of {} characters",
        verifier.secret().len()
    );
    assert_eq!(ours.method().as_str(), theirs.method().as_str());
}

#[test]
fn proofkey_verifiers_of_every_length_give_oauth2s_challenge() {
    let mut rng = ChaCha20Rng::from_seed(*b"proofkey interop with oauth2 5.0");
    for len in 43..=128 {
        for _ in 0..8 {
            let verifier = CodeVerifier::from_rng_with_len(&mut rng, len).unwrap();
            assert_eq!(verifier.secret().len(), len);
            assert_same_challenge(&verifier);
        }
    }
}

#[test]
fn proofkey_default_verifiers_give_oauth2s_challenge() {
    let mut rng = ChaCha20Rng::from_seed([42; 32]);
    for _ in 0..ROUNDS {
        assert_same_challenge(&CodeVerifier::from_rng(&mut rng).unwrap());
    }
    // The demo depends on proofkey with its default `getrandom` feature.
    for _ in 0..ROUNDS {
        assert_same_challenge(&CodeVerifier::random().unwrap());
    }
}

/// oauth2's authorization URL and token request for one code, with the
/// server's view of each: the decoded query pairs and form pairs.
struct Wire {
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
}

fn oauth2_round_trip(challenge: PkceCodeChallenge, verifier: PkceCodeVerifier) -> Wire {
    let client = BasicClient::new(ClientId::new("cli-app".into()))
        .set_auth_uri(AuthUrl::new("http://127.0.0.1:9/authorize".into()).unwrap())
        .set_token_uri(TokenUrl::new("http://127.0.0.1:9/token".into()).unwrap())
        .set_redirect_uri(RedirectUrl::new("http://127.0.0.1:9/callback".into()).unwrap());

    let (url, _state) = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let query = Url::parse(url.as_str())
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();

    // A stand-in HTTP client: records the body, answers with a token. No
    // network is involved.
    let body = RefCell::new(Vec::new());
    let http = |request: oauth2::HttpRequest| -> Result<oauth2::HttpResponse, Infallible> {
        body.borrow_mut().clone_from(request.body());
        Ok(oauth2::http::Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .body(br#"{"access_token":"at","token_type":"bearer"}"#.to_vec())
            .unwrap())
    };
    client
        .exchange_code(AuthorizationCode::new("code".into()))
        .set_pkce_verifier(verifier)
        .request(&http)
        .unwrap();
    let form = form_urlencoded::parse(&body.borrow())
        .into_owned()
        .collect();
    Wire { query, form }
}

fn pairs(p: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    p.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}

#[test]
fn oauth2_wire_format_passes_policy_params() {
    let policy = Policy::production();
    for num_bytes in [32, 33, 48, 64, 95, 96] {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256_len(num_bytes);
        let expected = challenge.as_str().to_owned();
        let wire = oauth2_round_trip(challenge, verifier);
        let bound = policy
            .authorize_params(ClientType::Public, pairs(&wire.query))
            .unwrap()
            .unwrap();
        assert_eq!(bound.as_str(), expected);
        assert_eq!(
            policy.token_params(ClientType::Public, Some(&bound), pairs(&wire.form)),
            Ok(())
        );

        // the same token request against another code's challenge
        let (other, _) = PkceCodeChallenge::new_random_sha256();
        let other = bind(&other);
        assert_eq!(
            policy.token_params(ClientType::Public, Some(&other), pairs(&wire.form)),
            Err(TokenError::Mismatch),
        );
    }
}

#[test]
fn proofkey_verifier_through_oauth2_wire_format_passes_policy_params() {
    let policy = Policy::production();
    let mut rng = ChaCha20Rng::from_seed([9; 32]);
    for len in [43, 44, 64, 100, 127, 128] {
        let ours = CodeVerifier::from_rng_with_len(&mut rng, len).unwrap();
        let theirs = PkceCodeVerifier::new(ours.secret().to_string());
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&theirs);
        let wire = oauth2_round_trip(challenge, theirs);
        let bound = policy
            .authorize_params(ClientType::Public, pairs(&wire.query))
            .unwrap()
            .unwrap();
        assert_eq!(bound, ours.challenge());
        let sent: Vec<_> = pairs(&wire.form)
            .filter(|(k, _)| *k == "code_verifier")
            .collect();
        assert_eq!(sent, [("code_verifier", ours.secret())]);
        assert_eq!(
            policy.token_params(ClientType::Public, Some(&bound), pairs(&wire.form)),
            Ok(())
        );
    }
}
