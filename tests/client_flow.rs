//! `ClientFlow`: the authorization request's parameters, `resume` with the
//! returned `state`, the age limit, the issuer check, and the freshness of
//! every flow's values. The stored text's format: tests/stored_flow.rs.

use std::collections::{HashMap, HashSet};

use proofkey::{ChallengeMethod, ClientFlow, FlowError, IssParameter, StoredFlow};
use rand::rand_core::{Rng, TryCryptoRng, TryRng};

#[path = "support/vectors.rs"]
mod vectors;
use vectors::{RFC_CHALLENGE, RFC_OCTETS, RFC_VERIFIER};

#[path = "support/flow.rs"]
mod flow;
use flow::{NOW, base64url, is_base64url, rng, s256, started};

#[test]
fn authorization_pairs_are_exactly_challenge_s256_and_state() {
    let flow = ClientFlow::from_rng(&mut rng(1), NOW).unwrap();
    let pairs = flow.authorization_pairs();
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, ["code_challenge", "code_challenge_method", "state"]);
    // The challenge is BASE64URL(SHA256(verifier)), computed here independently.
    assert_eq!(pairs[0].1, s256(flow.verifier().secret()));
    assert_eq!(pairs[0].1, flow.challenge().as_str());
    assert_eq!(pairs[1].1, "S256");
    assert_eq!(flow.challenge().method(), ChallengeMethod::S256);
    assert_eq!(pairs[2].1, flow.state());
    // Nothing needs URL-encoding, and the verifier is not among the values.
    for (_, v) in pairs {
        assert!(is_base64url(v), "{v}");
        assert!(!v.contains(flow.verifier().secret()));
    }
}

/// An RNG that replays `octets`, then fails.
struct Scripted(Vec<u8>);

#[derive(Debug)]
struct Exhausted;
impl std::fmt::Display for Exhausted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("exhausted")
    }
}
impl std::error::Error for Exhausted {}

impl TryRng for Scripted {
    type Error = Exhausted;
    fn try_next_u32(&mut self) -> Result<u32, Exhausted> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Exhausted> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Exhausted> {
        if self.0.len() < dst.len() {
            return Err(Exhausted);
        }
        let rest = self.0.split_off(dst.len());
        dst.copy_from_slice(&self.0);
        self.0 = rest;
        Ok(())
    }
}
impl TryCryptoRng for Scripted {}

#[test]
fn verifier_then_state_each_from_32_octets() {
    // RFC 7636 Appendix B's octets first, then 32 more for the state.
    let state_octets: Vec<u8> = (100..132).collect();
    let mut script = RFC_OCTETS.to_vec();
    script.extend(&state_octets);
    let mut rng = Scripted(script);
    let flow = ClientFlow::from_rng(&mut rng, NOW).unwrap();
    assert_eq!(flow.verifier().secret(), RFC_VERIFIER);
    assert_eq!(flow.challenge().as_str(), RFC_CHALLENGE);
    assert_eq!(flow.state(), base64url(&state_octets));
    assert!(rng.0.is_empty(), "exactly 64 octets are drawn");
}

#[test]
fn a_failing_or_stuck_rng_starts_no_flow() {
    // Fails at once; fails after the verifier's 32 octets.
    assert_eq!(
        ClientFlow::from_rng(&mut Scripted(vec![]), NOW).unwrap_err(),
        FlowError::Rng
    );
    assert_eq!(
        ClientFlow::from_rng(&mut Scripted(RFC_OCTETS.to_vec()), NOW).unwrap_err(),
        FlowError::Rng
    );
    // The same 32 octets twice: the state would equal the verifier.
    let mut twice = RFC_OCTETS.to_vec();
    twice.extend(RFC_OCTETS);
    assert_eq!(
        ClientFlow::from_rng(&mut Scripted(twice), NOW).unwrap_err(),
        FlowError::Rng
    );
}

#[test]
fn a_stuck_rng_for_the_state_starts_no_flow() {
    // A healthy verifier draw, then a state draw that fails the health test
    // every verifier draw gets: stuck at one value, or cycling.
    for stuck in [vec![0u8; 32], vec![0xff; 32], [0xab, 0xcd, 0xef].repeat(11)] {
        let mut script = RFC_OCTETS.to_vec();
        script.extend(&stuck[..32]);
        assert_eq!(
            ClientFlow::from_rng(&mut Scripted(script), NOW).unwrap_err(),
            FlowError::Rng,
            "{stuck:?}"
        );
    }
    // The control: 32 aperiodic octets make a state.
    let mut script = RFC_OCTETS.to_vec();
    script.extend((100..132).collect::<Vec<u8>>());
    assert!(ClientFlow::from_rng(&mut Scripted(script), NOW).is_ok());
}

#[test]
fn state_is_43_base64url_characters_unrelated_to_the_verifier() {
    let mut rng = rng(2);
    for _ in 0..200 {
        let flow = ClientFlow::from_rng(&mut rng, NOW).unwrap();
        let (state, verifier) = (flow.state(), flow.verifier().secret());
        assert_eq!(state.len(), 43);
        assert!(is_base64url(state));
        // 32 octets: the last character carries 4 bits and two zero bits.
        assert!("AEIMQUYcgkosw048".contains(&state[42..]), "{state}");
        assert_ne!(state, verifier);
        assert_ne!(state, flow.challenge().as_str());
        assert_eq!(verifier.len(), 43);
    }
}

#[test]
fn token_pairs_are_exactly_the_verifier_of_the_challenge_sent() {
    let (flow, stored, state) = started(&mut rng(3), NOW);
    let sent_challenge = flow.authorization_pairs()[0].1.to_owned();
    let back = ClientFlow::resume(&stored, &state, NOW + 1).unwrap();
    let pairs = back.token_pairs();
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0].0, "code_verifier");
    assert_eq!(pairs[0].1, flow.verifier().secret());
    assert_eq!(s256(pairs[0].1), sent_challenge);
    assert_eq!(back.challenge().verify(pairs[0].1), Ok(()));
}

#[test]
fn a_foreign_or_altered_state_is_refused() {
    let mut rng = rng(7);
    let (flow, stored, state) = started(&mut rng, NOW);
    let (_, _, other) = started(&mut rng, NOW);
    let mut last_changed = state.clone();
    last_changed.replace_range(42.., if state.ends_with('A') { "E" } else { "A" });
    for returned in [
        other.as_str(),
        &last_changed,
        &state[..42],
        &format!("{state} "),
        &format!("{state}="),
        &state.to_uppercase(),
        flow.verifier().secret(),
        flow.challenge().as_str(),
        "",
    ] {
        if returned == state {
            continue; // to_uppercase of a state without lowercase letters
        }
        assert_eq!(
            ClientFlow::resume(&stored, returned, NOW).unwrap_err(),
            FlowError::StateMismatch,
            "{returned:?}"
        );
    }
    assert!(ClientFlow::resume(&stored, &state, NOW).is_ok());
}

#[test]
fn a_flow_expires_after_max_age_and_not_before() {
    let (_, stored, state) = started(&mut rng(8), NOW);
    let resume = |now| ClientFlow::resume(&stored, &state, now).map(|f| f.issued_at());
    assert_eq!(ClientFlow::DEFAULT_MAX_AGE_SECS, 600);
    assert_eq!(resume(NOW), Ok(NOW));
    assert_eq!(resume(NOW + 600), Ok(NOW));
    assert_eq!(resume(NOW + 601), Err(FlowError::Expired));
    assert_eq!(resume(u64::MAX), Err(FlowError::Expired));
    // A clock a little behind (up to 60 s) is tolerated; more is refused.
    assert_eq!(resume(NOW - 60), Ok(NOW));
    assert_eq!(resume(NOW - 61), Err(FlowError::FromFuture));
    assert_eq!(resume(0), Err(FlowError::FromFuture));

    let with = |now, max| ClientFlow::resume_with_max_age(&stored, &state, now, max).is_ok();
    assert!(with(NOW + 120, 120) && !with(NOW + 121, 120));
    assert!(with(NOW, 0) && !with(NOW + 1, 0));
    assert!(with(u64::MAX, u64::MAX));
    // A wrong state is reported as such even when the flow is also expired.
    assert_eq!(
        ClientFlow::resume(&stored, "wrong", NOW + 601).unwrap_err(),
        FlowError::StateMismatch
    );
}

#[test]
fn many_interleaved_flows_complete_in_any_order() {
    let mut rng = rng(9);
    // The SPA recipe: one sessionStorage key per state.
    let mut session_storage: HashMap<String, String> = HashMap::new();
    let mut sent: Vec<(String, String)> = Vec::new(); // (state, code_challenge) as the server saw them
    for i in 0..64 {
        let flow = ClientFlow::from_rng(&mut rng, NOW + i).unwrap();
        let [(_, challenge), _, (_, state)] = flow.authorization_pairs();
        let key = format!("pkce.{state}");
        assert!(
            session_storage
                .insert(key, flow.to_stored().secret().to_owned())
                .is_none()
        );
        sent.push((state.to_owned(), challenge.to_owned()));
    }
    // Every stored flow refuses every other flow's state.
    for (state, _) in sent.iter().step_by(7) {
        for stored in session_storage.values() {
            let r = ClientFlow::resume(stored, state, NOW + 100);
            assert_eq!(r.is_ok(), stored.contains(&format!(".{state}.")));
        }
    }
    // Callbacks arrive shuffled; each finds its own flow and verifier.
    for k in 0..sent.len() {
        let j = k + (rng.next_u32() as usize) % (sent.len() - k);
        sent.swap(k, j);
    }
    for (state, challenge) in &sent {
        let stored = session_storage.remove(&format!("pkce.{state}")).unwrap();
        let flow = ClientFlow::resume(&stored, state, NOW + 300).unwrap();
        assert_eq!(s256(flow.token_pairs()[0].1), *challenge);
        // Replayed: the entry is gone, and nothing else answers to this state.
        assert!(
            session_storage
                .values()
                .all(|s| ClientFlow::resume(s, state, NOW + 300).is_err())
        );
    }
    assert!(session_storage.is_empty());
}

#[test]
fn ten_thousand_flows_share_no_verifier_and_no_state() {
    let mut rng = rng(10);
    let mut seen = HashSet::new();
    for _ in 0..10_000 {
        let flow = ClientFlow::from_rng(&mut rng, NOW).unwrap();
        // One set for both: no state equals any verifier either.
        assert!(seen.insert(flow.verifier().secret().to_owned()));
        assert!(seen.insert(flow.state().to_owned()));
    }
    assert_eq!(seen.len(), 20_000);
}

#[cfg(feature = "getrandom")]
#[test]
fn random_draws_from_the_os() {
    let a = ClientFlow::random(NOW).unwrap();
    let b = ClientFlow::random(NOW).unwrap();
    assert_ne!(a.verifier().secret(), b.verifier().secret());
    assert_ne!(a.state(), b.state());
    assert_eq!(a.challenge().as_str(), s256(a.verifier().secret()));
    let stored = a.to_stored();
    assert!(ClientFlow::resume(stored.secret(), a.state(), NOW).is_ok());
}

#[test]
fn issuer_check_follows_rfc_9207() {
    let flow = ClientFlow::from_rng(&mut rng(11), NOW).unwrap();
    let expected = "https://as.example/tenant";
    for supported in [IssParameter::Advertised, IssParameter::NotAdvertised] {
        assert_eq!(
            flow.check_issuer(expected, Some(expected), supported),
            Ok(())
        );
        for wrong in [
            "https://evil.example/tenant",
            "https://as.example/tenant/",
            "https://AS.example/tenant",
            "https://as.example/tenant ",
            "https://as.example",
            "",
        ] {
            assert_eq!(
                flow.check_issuer(expected, Some(wrong), supported),
                Err(FlowError::IssuerMismatch),
                "{wrong:?}"
            );
        }
    }
    assert_eq!(
        flow.check_issuer(expected, None, IssParameter::Advertised),
        Err(FlowError::MissingIssuer)
    );
    assert_eq!(
        flow.check_issuer(expected, None, IssParameter::NotAdvertised),
        Ok(())
    );
}

#[test]
fn nothing_secret_is_printed() {
    let (flow, stored_text, state) = started(&mut rng(12), NOW);
    let v = flow.verifier().secret().to_owned();
    let dbg = format!("{flow:?} {flow:#?} {:?}", flow.to_stored());
    for secret in [&v[..12], &state[..12], &stored_text[..20]] {
        assert!(!dbg.contains(secret), "{dbg}");
    }
    assert_eq!(format!("{:?}", flow.to_stored()), "StoredFlow([REDACTED])");
    // What it does show: the time, and that the two secrets are there.
    assert_eq!(
        format!("{flow:?}"),
        format!("ClientFlow {{ issued_at: {NOW}, state: [REDACTED], verifier: [REDACTED] }}")
    );
    let resumed = ClientFlow::resume(&stored_text, &state, NOW);
    assert!(!format!("{resumed:?}").contains(&v[..12]));
}

#[test]
fn errors_are_small_values_with_fixed_messages() {
    fn traits<
        E: Copy + Eq + std::hash::Hash + std::fmt::Debug + std::error::Error + Send + Sync + 'static,
    >() {
    }
    traits::<FlowError>();
    fn zeroized<T: zeroize::ZeroizeOnDrop>() {}
    zeroized::<ClientFlow>();
    zeroized::<StoredFlow>();
    zeroized::<proofkey::FlowStore<4>>();

    let all = [
        FlowError::Rng,
        FlowError::Malformed,
        FlowError::StateMismatch,
        FlowError::Expired,
        FlowError::FromFuture,
        FlowError::IssuerMismatch,
        FlowError::MissingIssuer,
        FlowError::Full,
        FlowError::DuplicateState,
        FlowError::MethodsNotAdvertised,
        FlowError::S256NotAdvertised,
    ];
    let messages: HashSet<String> = all.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), all.len(), "every message is distinct");
    for m in &messages {
        assert!(!m.is_empty() && m.is_ascii() && !m.ends_with('.'), "{m}");
    }
}
