//! `ReuseGuard` against a list model written from its documentation:
//! random sequences of (client, challenge, time) calls, with a clock that
//! moves forwards, backwards and to the extremes, and any window.
//!
//! - A guard with room to spare (4,096 slots, at most 64 calls) answers
//!   exactly as the model: refused iff the same client presented a
//!   challenge from the same verifier and that entry is still live.
//! - Small guards (1, 4 and 13 slots) forget, but never invent: a refusal
//!   always has an earlier presentation of the pair, at `p` with
//!   `now < p + window` (a small guard may record a presentation that the
//!   model refused, having forgotten the first), and a pair just recorded
//!   is refused at once when its window is not empty.
//! - `fingerprint` is SHA-256(key ‖ digest ‖ LE64(len) ‖ client_id),
//!   truncated to 16 octets, computed here with the `sha2` crate.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use proofkey::{AuthorizeError, ChallengeMethod, CodeChallenge, CodeVerifier, ReuseGuard};
use sha2::{Digest, Sha256};

const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
/// Distinct verifiers of lengths 43 to 127, so that plain digests cover
/// one and two SHA-256 blocks.
const VERIFIERS: usize = 8;

#[derive(Arbitrary, Debug)]
enum Client {
    Spa,
    Backend,
    /// Longer than one block of the fingerprint's tail (47 octets).
    Long,
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Step {
    Same,
    Forward(u16),
    Back(u16),
    To(u64),
}

#[derive(Arbitrary, Debug)]
struct Call {
    client: Client,
    verifier: u8,
    plain: bool,
    step: Step,
}

#[derive(Arbitrary, Debug)]
enum Window {
    Small(u8),
    Any(u64),
    Max,
}

#[derive(Arbitrary, Debug)]
struct Input {
    key: [u8; 32],
    window: Window,
    start: u64,
    calls: Vec<Call>,
}

/// The documented semantics with unbounded room: (client, SHA-256 of the
/// verifier, expires_at).
#[derive(Default)]
struct Model(Vec<(String, [u8; 32], u64)>);

impl Model {
    fn check(&mut self, client: &str, digest: [u8; 32], now: u64, window: u64) -> bool {
        let expires_at = now.saturating_add(window);
        match self
            .0
            .iter_mut()
            .find(|(c, d, _)| c == client && *d == digest)
        {
            Some((_, _, e)) if now < *e => return false,
            Some((_, _, e)) => *e = expires_at,
            None => self.0.push((client.to_owned(), digest, expires_at)),
        }
        true
    }
}

fn verifier(i: usize) -> CodeVerifier {
    let len = 43 + i * 12;
    let s: String = UNRESERVED
        .iter()
        .cycle()
        .skip(i)
        .take(len)
        .map(|&b| b as char)
        .collect();
    CodeVerifier::parse(&s).expect("a valid verifier")
}

fn reference_fingerprint(key: &[u8; 32], digest: &[u8; 32], client: &str) -> [u8; 16] {
    let full: [u8; 32] = Sha256::new()
        .chain_update(key)
        .chain_update(digest)
        .chain_update((client.len() as u64).to_le_bytes())
        .chain_update(client.as_bytes())
        .finalize()
        .into();
    full[..16].try_into().expect("16 octets")
}

/// Records into a small guard: no false refusal; a fresh entry is live.
fn check_small<const N: usize>(
    guard: &mut ReuseGuard<N>,
    presented_within_window: bool,
    client: &str,
    challenge: &CodeChallenge,
    now: u64,
    window: u64,
) {
    match guard.check_and_record(client, challenge, now) {
        Err(e) => {
            assert_eq!(e, AuthorizeError::ChallengeReused);
            assert!(
                presented_within_window,
                "{N} slots: refused a pair not presented within the window"
            );
        }
        Ok(()) => {
            if now < now.saturating_add(window) {
                assert_eq!(
                    guard.check_and_record(client, challenge, now),
                    Err(AuthorizeError::ChallengeReused),
                    "{N} slots: a pair just recorded is not live"
                );
            }
        }
    }
}

fuzz_target!(|input: Input| {
    let window = match input.window {
        Window::Small(w) => u64::from(w),
        Window::Any(w) => w,
        Window::Max => u64::MAX,
    };
    let verifiers: Vec<CodeVerifier> = (0..VERIFIERS).map(verifier).collect();
    let long = "c".repeat(80);

    let mut exact = ReuseGuard::<4096>::new(input.key, window);
    let mut one = ReuseGuard::<1>::new(input.key, window);
    let mut four = ReuseGuard::<4>::new(input.key, window);
    let mut thirteen = ReuseGuard::<13>::new(input.key, window);
    let mut model = Model::default();
    // Every call so far: (client, digest, time).
    let mut presented: Vec<(String, [u8; 32], u64)> = Vec::new();
    let mut now = input.start;

    for call in input.calls.iter().take(64) {
        now = match call.step {
            Step::Same => now,
            Step::Forward(d) => now.saturating_add(u64::from(d)),
            Step::Back(d) => now.saturating_sub(u64::from(d)),
            Step::To(t) => t,
        };
        let client = match &call.client {
            Client::Spa => "spa",
            Client::Backend => "backend",
            Client::Long => long.as_str(),
            Client::Raw(s) => s.as_str(),
        };
        let v = &verifiers[usize::from(call.verifier) % VERIFIERS];
        let method = if call.plain {
            ChallengeMethod::Plain
        } else {
            ChallengeMethod::S256
        };
        let challenge = v.challenge_with(method);
        let digest: [u8; 32] = Sha256::digest(v.secret().as_bytes()).into();

        assert_eq!(
            exact.fingerprint(client, &challenge),
            reference_fingerprint(&input.key, &digest, client)
        );
        // The other method's challenge of the same verifier is the same pair.
        let other = v.challenge_with(match method {
            ChallengeMethod::S256 => ChallengeMethod::Plain,
            ChallengeMethod::Plain => ChallengeMethod::S256,
        });
        assert_eq!(
            exact.fingerprint(client, &challenge),
            exact.fingerprint(client, &other)
        );

        let before = presented
            .iter()
            .any(|(c, d, p)| c == client && *d == digest && now < p.saturating_add(window));
        presented.push((client.to_owned(), digest, now));
        let expected = model.check(client, digest, now, window);
        let got = exact.check_and_record(client, &challenge, now);
        assert_eq!(got.is_ok(), expected, "4096 slots vs the model");
        if let Err(e) = got {
            assert_eq!(e, AuthorizeError::ChallengeReused);
        }
        check_small(&mut one, before, client, &challenge, now, window);
        check_small(&mut four, before, client, &challenge, now, window);
        check_small(&mut thirteen, before, client, &challenge, now, window);
    }
});
