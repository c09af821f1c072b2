//! `ClientFlow::resume`, `FlowStore` and `ChallengeMethod::negotiate`
//! against a model written from their documentation. `resume` never panics
//! and never accepts a `state` other than the stored one.
//!
//! Input: a 49-byte header, then two parts separated by the first 0xFF:
//!
//! | bytes | field |
//! |---|---|
//! | 0 | mode (low 2 bits) |
//! | 1..9 | `issued`: u64 LE, the time a genuine flow starts |
//! | 9..13 | `delta`: i32 LE, the callback comes at `issued + delta` |
//! | 13..17 | `max_age`: u32 LE |
//! | 17..49 | `seed` of the genuine flows' RNG |
//!
//! Modes: 0, `resume(part A, part B)` for arbitrary text; 1, a genuine flow
//! from `seed` (bound with `for_issuer` when bit 2 of byte 0 is set, with a
//! resource too when bit 3 is: a version 2 text) whose stored text gets the
//! (position, byte) edits of part A, resumed with part B as the state (the
//! genuine state when B is empty);
//! 2, a `FlowStore<4>` holding up to four genuine flows, taken with part B
//! (or, when B is a single byte, the state of flow B[0] % 4), twice;
//! 3, `negotiate` on part A split at 0x00 (absent when A is empty).
#![no_main]

mod common;

use common::is_verifier;
use libfuzzer_sys::fuzz_target;
use proofkey::{ChallengeMethod, ClientFlow, FlowError, FlowStore};
use rand_core::{TryCryptoRng, TryRng};
use sha2::{Digest, Sha256};

const SKEW: u64 = 60;

fuzz_target!(|data: &[u8]| {
    let Some((header, rest)) = data.split_first_chunk::<49>() else {
        return;
    };
    let mode = header[0] & 3;
    let issued = u64::from_le_bytes(header[1..9].try_into().unwrap());
    let delta = i32::from_le_bytes(header[9..13].try_into().unwrap());
    let max_age = u64::from(u32::from_le_bytes(header[13..17].try_into().unwrap()));
    let seed: [u8; 32] = header[17..49].try_into().unwrap();
    let now = issued.saturating_add_signed(i64::from(delta));
    let (a, b) = match rest.iter().position(|&x| x == 0xFF) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();

    match mode {
        0 => {
            check_resume(&text(a), &text(b), now, max_age);
        }
        1 => {
            let mut rng = Seeded::new(seed);
            let mut flow = ClientFlow::from_rng(&mut rng, issued).unwrap();
            if header[0] & 4 != 0 {
                // Issuers and resources of every length up to 128.
                let issuer = format!(
                    "https://as.example/{}",
                    "t".repeat(usize::from(seed[0] % 110))
                );
                let resource = (header[0] & 8 != 0).then(|| {
                    format!(
                        "https://rs.example/mcp{}",
                        "/x".repeat(usize::from(seed[1] % 54))
                    )
                });
                flow = flow.for_issuer(&issuer, resource.as_deref()).unwrap();
            }
            let original = flow.to_stored().secret().as_bytes().to_vec();
            let mut edited = original.clone();
            for pair in a.chunks_exact(2) {
                let at = usize::from(pair[0]) % edited.len();
                edited[at] = pair[1];
            }
            let stored = text(&edited);
            let returned = if b.is_empty() {
                flow.state().to_owned()
            } else {
                text(b)
            };
            let result = check_resume(&stored, &returned, now, max_age);
            if let Some(back) = result {
                // Accepted: nothing was changed, and it is the genuine flow.
                assert_eq!(stored.as_bytes(), original, "an edited text was accepted");
                assert_eq!(returned, flow.state(), "a foreign state was accepted");
                assert_eq!(back.verifier().secret(), flow.verifier().secret());
                assert_eq!(back.issuer(), flow.issuer());
                assert_eq!(back.resource(), flow.resource());
            }
        }
        2 => {
            let mut rng = Seeded::new(seed);
            let mut store = FlowStore::<4>::with_max_age(max_age);
            let mut kept = Vec::new();
            for _ in 0..(header[0] >> 2) % 5 {
                let flow = ClientFlow::from_rng(&mut rng, issued).unwrap();
                let state = flow.state().to_owned();
                let verifier = flow.verifier().secret().to_owned();
                match store.insert(flow, issued) {
                    Ok(()) => kept.push((state, verifier)),
                    Err(e) => panic!("a fresh flow was refused: {e}"),
                }
            }
            assert_eq!(store.len(), kept.len());
            let returned = match b {
                [i] if !kept.is_empty() => kept[usize::from(*i) % kept.len()].0.clone(),
                _ => text(b),
            };
            let owner = kept.iter().find(|(s, _)| *s == returned);
            let expected = match owner {
                None => Err(FlowError::StateMismatch),
                Some(_) => age(issued, now, max_age),
            };
            let result = store.take(&returned, now);
            assert_eq!(result.as_ref().map(|_| ()).map_err(|e| *e), expected);
            if let (Ok(flow), Some((state, verifier))) = (&result, owner) {
                assert_eq!(flow.state(), state);
                assert_eq!(flow.verifier().secret(), verifier);
            }
            let removed = usize::from(owner.is_some());
            assert_eq!(store.len(), kept.len() - removed);
            // Taken once: the same state finds nothing now.
            assert_eq!(
                store.take(&returned, now).unwrap_err(),
                FlowError::StateMismatch
            );
        }
        _ => {
            let names: Vec<String> = a.split(|&x| x == 0).map(text).collect();
            let supported = (!a.is_empty()).then_some(&names);
            let listed = names.iter().any(|n| n == "S256");
            let (strict, legacy) = match supported {
                None => (
                    Err(FlowError::MethodsNotAdvertised),
                    Ok(ChallengeMethod::S256),
                ),
                Some(_) if listed => (Ok(ChallengeMethod::S256), Ok(ChallengeMethod::S256)),
                Some(_) => (
                    Err(FlowError::S256NotAdvertised),
                    Err(FlowError::S256NotAdvertised),
                ),
            };
            assert_eq!(ChallengeMethod::negotiate(supported), strict);
            assert_eq!(ChallengeMethod::negotiate_legacy(supported), legacy);
        }
    }
});

/// Resumes and compares with the model; the flow, when accepted.
fn check_resume(stored: &str, returned: &str, now: u64, max_age: u64) -> Option<ClientFlow> {
    let result = ClientFlow::resume_with_max_age(stored, returned, now, max_age);
    let expected = match reference_parse(stored) {
        None => Err(FlowError::Malformed),
        Some(parsed) if parsed.state != returned => Err(FlowError::StateMismatch),
        Some(parsed) => age(parsed.issued, now, max_age),
    };
    assert_eq!(
        result.as_ref().map(|_| ()).map_err(|e| *e),
        expected,
        "{stored:?}"
    );
    // (FlowError has no fields: its messages cannot carry the input.)
    let flow = result.ok()?;
    let Parsed {
        issued,
        state,
        verifier,
        issuer,
        resource,
    } = reference_parse(stored)?;
    assert_eq!(flow.state(), returned);
    assert_eq!(flow.state(), state);
    assert_eq!(flow.verifier().secret(), verifier);
    assert_eq!(flow.issued_at(), issued);
    assert_eq!(flow.issuer(), issuer.as_deref());
    assert_eq!(flow.resource(), resource.as_deref());
    assert_eq!(
        flow.to_stored().secret(),
        stored,
        "only canonical text is accepted"
    );
    assert_eq!(flow.challenge().verify(&verifier), Ok(()));
    assert!(!format!("{flow:?}").contains(&verifier));
    Some(flow)
}

/// The documented age rule.
fn age(issued: u64, now: u64, max_age: u64) -> Result<(), FlowError> {
    if issued > now.saturating_add(SKEW) {
        Err(FlowError::FromFuture)
    } else if now.saturating_sub(issued) > max_age {
        Err(FlowError::Expired)
    } else {
        Ok(())
    }
}

/// A stored text as the model reads it.
struct Parsed {
    issued: u64,
    state: String,
    verifier: String,
    issuer: Option<String>,
    resource: Option<String>,
}

/// `v1.<issued_at>.<state>.<check>.<verifier>` and
/// `v2.<issued_at>.<state>.<issuer>.<resource>.<check>.<verifier>`, as
/// `StoredFlow` documents them.
fn reference_parse(stored: &str) -> Option<Parsed> {
    if !stored.is_ascii() {
        return None;
    }
    let (bound, rest) = match stored.strip_prefix("v1.") {
        Some(rest) => (false, rest),
        None => (true, stored.strip_prefix("v2.")?),
    };
    let (digits, rest) = rest.split_once('.')?;
    let canonical = !digits.is_empty()
        && digits.len() <= 20
        && digits.bytes().all(|d| d.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if !canonical {
        return None;
    }
    let issued: u64 = digits.parse().ok()?;
    let (state, rest) = (rest.get(..43)?, rest.get(43..)?);
    let base64url = |s: &str| {
        s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    };
    if !base64url(state) {
        return None;
    }
    let mut rest = rest.strip_prefix('.')?;
    let (mut issuer, mut resource) = (None, None);
    if bound {
        let (issuer_part, after) = rest.split_once('.')?;
        let (resource_part, after) = after.split_once('.')?;
        issuer = Some(binding_value(issuer_part)?);
        resource = match resource_part {
            "" => None,
            part => Some(binding_value(part)?),
        };
        rest = after;
    }
    let (check, rest) = (rest.get(..32)?, rest.get(32..)?);
    let verifier = rest.strip_prefix('.')?;
    if !is_verifier(verifier.as_bytes()) {
        return None;
    }
    let covered = &stored[..stored.len() - rest.len() - 32];
    let digest = Sha256::new()
        .chain_update(covered.as_bytes())
        .chain_update(verifier.as_bytes())
        .finalize();
    let hex: String = digest[..16].iter().map(|x| format!("{x:02x}")).collect();
    (check == hex).then(|| Parsed {
        issued,
        state: state.to_owned(),
        verifier: verifier.to_owned(),
        issuer,
        resource,
    })
}

/// An issuer or resource part: canonical unpadded base64url (the `base64`
/// crate, not the library's `base64ct`) of 1 to 128 visible ASCII octets.
fn binding_value(part: &str) -> Option<String> {
    use base64::Engine as _;
    let octets = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .ok()?;
    let visible = !octets.is_empty()
        && octets.len() <= 128
        && octets.iter().all(|b| (b'!'..=b'~').contains(b));
    visible.then(|| String::from_utf8(octets).ok()).flatten()
}

/// A deterministic RNG for genuine flows: SHA-256(seed ‖ counter) blocks.
struct Seeded {
    seed: [u8; 32],
    counter: u64,
}

impl Seeded {
    fn new(seed: [u8; 32]) -> Self {
        Self { seed, counter: 0 }
    }
}

impl TryRng for Seeded {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(32) {
            let block = Sha256::new()
                .chain_update(self.seed)
                .chain_update(self.counter.to_le_bytes())
                .finalize();
            self.counter += 1;
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
        Ok(())
    }
}

impl TryCryptoRng for Seeded {}
