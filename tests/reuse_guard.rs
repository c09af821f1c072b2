//! `ReuseGuard`: a client's challenge is refused while its entry is live
//! and accepted otherwise; the window, the clock, eviction of the oldest
//! neighbour, the documented fingerprint, and agreement with a list model.

use std::sync::Mutex;

use proofkey::{AuthorizeError, ChallengeMethod, CodeChallenge, CodeVerifier, ReuseGuard};
use rand::rand_core::{Rng, SeedableRng};
use rand::rngs::ChaCha20Rng;
use sha2::{Digest, Sha256};

#[path = "support/vectors.rs"]
mod vectors;
use vectors::{RFC_CHALLENGE as C, RFC_VERIFIER as V};

const KEY: [u8; 32] = [0x42; 32];
const REUSED: Result<(), AuthorizeError> = Err(AuthorizeError::ChallengeReused);

/// The S256 challenge of the verifier made from `n`.
fn challenge(n: u64) -> CodeChallenge {
    let mut octets = [0u8; 32];
    octets[..8].copy_from_slice(&n.to_le_bytes());
    CodeVerifier::from_random_bytes(&octets).challenge()
}

#[test]
fn the_same_client_and_challenge_within_the_window_is_refused() {
    let mut g = ReuseGuard::<64>::new(KEY, 600);
    let c = challenge(1);
    assert_eq!(g.check_and_record("spa", &c, 1_000), Ok(()));
    assert_eq!(g.check_and_record("spa", &c, 1_000), REUSED);
    assert_eq!(g.check_and_record("spa", &c, 1_599), REUSED);
    let err = g.check_and_record("spa", &c, 1_001).unwrap_err();
    assert_eq!(err.error_code(), "invalid_request");
    assert_eq!(
        err.description(),
        "code_challenge was used before: use a fresh code_verifier for every authorization request"
    );
    assert_eq!(
        err.query_pairs(),
        [
            ("error", "invalid_request"),
            ("error_description", err.description())
        ]
    );
}

#[test]
fn another_client_or_another_challenge_is_not_a_reuse() {
    let mut g = ReuseGuard::<64>::new(KEY, 600);
    let (a, b) = (challenge(1), challenge(2));
    g.check_and_record("spa", &a, 10).unwrap();
    g.check_and_record("backend", &a, 11).unwrap();
    g.check_and_record("spa", &b, 12).unwrap();
    // client ids are compared exactly: no trimming, no case folding
    g.check_and_record("SPA", &a, 13).unwrap();
    g.check_and_record("spa ", &a, 14).unwrap();
    g.check_and_record("", &a, 15).unwrap();
    for (client, c) in [
        ("spa", &a),
        ("backend", &a),
        ("spa", &b),
        ("SPA", &a),
        ("", &a),
    ] {
        assert_eq!(g.check_and_record(client, c, 16), REUSED, "{client:?}");
    }
}

// Two challenges from one verifier are one secret, whatever the methods.
#[test]
fn the_same_verifier_under_either_method_is_a_reuse() {
    let plain = CodeChallenge::parse(V, ChallengeMethod::Plain).unwrap();
    let s256 = CodeChallenge::parse(C, ChallengeMethod::S256).unwrap();
    let mut g = ReuseGuard::<64>::new(KEY, 600);
    g.check_and_record("spa", &plain, 0).unwrap();
    assert_eq!(g.check_and_record("spa", &s256, 1), REUSED);
    let mut g = ReuseGuard::<64>::new(KEY, 600);
    g.check_and_record("spa", &s256, 0).unwrap();
    assert_eq!(g.check_and_record("spa", &plain, 1), REUSED);
}

// Live while now < recorded + window; a refusal leaves the entry as it was.
#[test]
fn an_entry_lives_exactly_window_secs_and_a_refusal_does_not_extend_it() {
    let mut g = ReuseGuard::<8>::new(KEY, 10);
    let c = challenge(7);
    g.check_and_record("spa", &c, 100).unwrap();
    assert_eq!(g.check_and_record("spa", &c, 105), REUSED);
    assert_eq!(g.check_and_record("spa", &c, 109), REUSED);
    // not 115: the refusal at 105 recorded nothing
    assert_eq!(g.check_and_record("spa", &c, 110), Ok(()));
    // ...and that success recorded it again, until 120
    assert_eq!(g.check_and_record("spa", &c, 119), REUSED);
    assert_eq!(g.check_and_record("spa", &c, 120), Ok(()));
}

#[test]
fn a_window_of_zero_never_refuses() {
    let mut g = ReuseGuard::<8>::new(KEY, 0);
    let c = challenge(1);
    for now in [0, 0, 5, 5, u64::MAX, u64::MAX] {
        assert_eq!(g.check_and_record("spa", &c, now), Ok(()));
    }
}

// A clock that goes back keeps entries live (never shorter), and the
// extremes of u64 neither panic nor overflow.
#[test]
fn a_clock_that_goes_backwards_or_reaches_the_extremes_is_handled() {
    let mut g = ReuseGuard::<8>::new(KEY, 60);
    let c = challenge(1);
    g.check_and_record("spa", &c, 1_000).unwrap();
    assert_eq!(g.check_and_record("spa", &c, 0), REUSED);
    assert_eq!(g.check_and_record("spa", &c, 999), REUSED);
    assert_eq!(g.check_and_record("spa", &c, 1_060), Ok(()));

    // recorded + window saturates at u64::MAX, and nothing is live at u64::MAX
    let d = challenge(2);
    g.check_and_record("spa", &d, u64::MAX - 1).unwrap();
    assert_eq!(g.check_and_record("spa", &d, u64::MAX - 1), REUSED);
    assert_eq!(g.check_and_record("spa", &d, u64::MAX), Ok(()));
    // recorded at u64::MAX, it is live at every earlier time
    assert_eq!(g.check_and_record("spa", &d, 0), REUSED);

    let mut forever = ReuseGuard::<8>::new(KEY, u64::MAX);
    forever.check_and_record("spa", &c, 0).unwrap();
    assert_eq!(forever.check_and_record("spa", &c, u64::MAX - 1), REUSED);
    forever.check_and_record("spa", &d, u64::MAX).unwrap();
}

// With N <= 8 every call looks at the whole table: when all entries are
// live, exactly the oldest goes.
#[test]
fn a_full_table_forgets_its_oldest_entry() {
    let mut g = ReuseGuard::<4>::new(KEY, 1_000);
    let c: Vec<CodeChallenge> = (0..5).map(challenge).collect();
    for (t, ci) in c.iter().enumerate() {
        g.check_and_record("spa", ci, t as u64).unwrap();
    }
    // c[0] (recorded at 0) went to make room for c[4]; refusals change nothing.
    for ci in c[1..].iter().rev() {
        assert_eq!(g.check_and_record("spa", ci, 10), REUSED);
    }
    assert_eq!(g.check_and_record("spa", &c[0], 11), Ok(()));
    // ...which pushed out c[1], now the oldest
    assert_eq!(g.check_and_record("spa", &c[1], 12), Ok(()));
    for ci in [&c[3], &c[4], &c[0], &c[1]] {
        assert_eq!(g.check_and_record("spa", ci, 13), REUSED);
    }

    let mut one = ReuseGuard::<1>::new(KEY, 1_000);
    one.check_and_record("spa", &c[0], 0).unwrap();
    assert_eq!(one.check_and_record("spa", &c[0], 1), REUSED);
    one.check_and_record("spa", &c[1], 2).unwrap();
    assert_eq!(one.check_and_record("spa", &c[0], 3), Ok(()));
}

// Expired entries make room before any live one goes.
#[test]
fn expired_entries_are_reused_before_live_ones_go() {
    let mut g = ReuseGuard::<4>::new(KEY, 10);
    let old: Vec<CodeChallenge> = (0..4).map(challenge).collect();
    let new: Vec<CodeChallenge> = (4..7).map(challenge).collect();
    for ci in &old[..3] {
        g.check_and_record("spa", ci, 0).unwrap();
    }
    g.check_and_record("spa", &old[3], 5).unwrap();
    // At 10, three entries have expired and old[3] is live until 15.
    for ci in &new {
        g.check_and_record("spa", ci, 10).unwrap();
    }
    // The new ones took the expired slots: old[3] is still there.
    assert_eq!(g.check_and_record("spa", &old[3], 11), REUSED);
    for ci in &new {
        assert_eq!(g.check_and_record("spa", ci, 11), REUSED);
    }
    // and an expired entry is no reuse
    assert_eq!(g.check_and_record("spa", &old[0], 12), Ok(()));
}

// A large guard lives in a static (`new` is const): no stack, no heap.
static LARGE: Mutex<ReuseGuard<65_536>> = Mutex::new(ReuseGuard::new([0; 32], 0));

#[test]
fn a_large_static_guard_remembers_every_entry_at_a_moderate_load() {
    let mut g = LARGE.lock().unwrap();
    g.reset(KEY, 1_000_000);
    let clients = [
        "spa",
        "backend",
        "a-much-longer-client-identifier-than-usual-0123456789",
    ];
    // 6,000 entries in 8,192 sets of 8: none is pushed out.
    let entries: Vec<(&str, CodeChallenge)> = (0..6_000u64)
        .map(|i| (clients[i as usize % 3], challenge(i)))
        .collect();
    for (t, (client, c)) in entries.iter().enumerate() {
        assert_eq!(g.check_and_record(client, c, t as u64), Ok(()));
    }
    for (client, c) in &entries {
        assert_eq!(g.check_and_record(client, c, 6_000), REUSED);
    }
    // reset forgets everything
    g.reset(KEY, 1_000_000);
    let (client, c) = &entries[0];
    assert_eq!(g.check_and_record(client, c, 6_001), Ok(()));
}

// RFC 9700 §2.1.1 is about constant values: one verifier copied into
// many apps (here the RFC's example) is caught for every one of them, not
// only for the last 8, as when the verifier alone picked the set.
#[test]
fn one_constant_verifier_shared_by_many_clients_is_caught_for_each() {
    let mut g = ReuseGuard::<4096>::new(KEY, 600);
    let constant = CodeChallenge::parse(C, ChallengeMethod::S256).unwrap();
    let clients: Vec<String> = (0..200).map(|i| format!("app-{i}")).collect();
    for client in &clients {
        assert_eq!(g.check_and_record(client, &constant, 1_000), Ok(()));
    }
    let caught = clients
        .iter()
        .filter(|client| g.check_and_record(client, &constant, 1_001) == REUSED)
        .count();
    assert_eq!(caught, clients.len());
}

// Past capacity, under churn of four times its size: the newest entries
// are the ones kept.
#[test]
fn past_capacity_the_newest_entries_are_kept() {
    const N: usize = 1024;
    let mut g = ReuseGuard::<N>::new(KEY, 1_000_000);
    let all: Vec<CodeChallenge> = (0..4 * N as u64).map(challenge).collect();
    for (t, c) in all.iter().enumerate() {
        g.check_and_record("spa", c, t as u64).unwrap();
    }
    // Newest first; a refusal changes nothing, so the count is exact up to
    // the first entry that was forgotten (which that call records).
    let now = all.len() as u64;
    let newest_kept = all
        .iter()
        .rev()
        .take_while(|c| g.check_and_record("spa", c, now) == REUSED)
        .count();
    assert!(
        newest_kept >= N / 4,
        "only the newest {newest_kept} were all kept"
    );
    assert!(newest_kept <= N, "{newest_kept} entries in {N} slots");
    // The oldest, recorded at 0, went long ago.
    assert_eq!(g.check_and_record("spa", &all[0], now), Ok(()));
}

#[test]
fn the_fingerprint_is_the_documented_hash() {
    let s256 = CodeChallenge::parse(C, ChallengeMethod::S256).unwrap();
    let plain = CodeChallenge::parse(V, ChallengeMethod::Plain).unwrap();
    let digest: [u8; 32] = Sha256::digest(V.as_bytes()).into();
    let g = ReuseGuard::<1>::new(KEY, 600);
    let long = "é".repeat(100);
    for client in [
        "",
        "spa",
        "x".repeat(47).as_str(),
        "x".repeat(48).as_str(),
        &long,
    ] {
        let mut message = KEY.to_vec();
        message.extend_from_slice(&digest);
        message.extend_from_slice(&(client.len() as u64).to_le_bytes());
        message.extend_from_slice(client.as_bytes());
        let expected: [u8; 32] = Sha256::digest(&message).into();
        assert_eq!(g.fingerprint(client, &s256), expected[..16], "{client:?}");
        assert_eq!(g.fingerprint(client, &plain), expected[..16], "{client:?}");
    }
    // keyed: another key, another fingerprint
    let other = ReuseGuard::<1>::new([0x43; 32], 600);
    assert_ne!(g.fingerprint("spa", &s256), other.fingerprint("spa", &s256));
    // what the table records is that fingerprint: a guard with another key
    // does not recognise the entry, one with the same key does
    let mut a = ReuseGuard::<8>::new(KEY, 600);
    a.check_and_record("spa", &s256, 0).unwrap();
    a.reset([0x43; 32], 600);
    assert_eq!(a.check_and_record("spa", &s256, 1), Ok(()));
}

#[test]
fn debug_shows_neither_the_key_nor_the_entries() {
    let mut g = ReuseGuard::<16>::new([0xab; 32], 600);
    g.check_and_record(
        "spa",
        &CodeChallenge::parse(V, ChallengeMethod::Plain).unwrap(),
        0,
    )
    .unwrap();
    assert_eq!(
        format!("{g:?}"),
        "ReuseGuard { capacity: 16, window_secs: 600, .. }"
    );
}

/// One check against a list of (client, verifier digest, expires_at):
/// the documented semantics with unbounded room.
fn model_check(
    model: &mut Vec<(String, [u8; 32], u64)>,
    client: &str,
    digest: [u8; 32],
    now: u64,
    window: u64,
) -> Result<(), AuthorizeError> {
    let expires_at = now.saturating_add(window);
    match model
        .iter_mut()
        .find(|(c, d, _)| c == client && *d == digest)
    {
        Some((_, _, e)) if now < *e => return REUSED,
        Some((_, _, e)) => *e = expires_at,
        None => model.push((client.to_owned(), digest, expires_at)),
    }
    Ok(())
}

// Random sequences (seeded) over a few clients and verifiers, either
// method, a clock that mostly moves forward: the guard answers as the list
// does while its table has room to spare.
#[test]
fn agrees_with_a_list_model_when_nothing_is_evicted() {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let long = "x".repeat(60);
    let clients = ["spa", "backend", "cli", long.as_str()];
    let verifiers: Vec<CodeVerifier> = (0..25u64)
        .map(|i| {
            let mut octets = [0u8; 32];
            octets[..8].copy_from_slice(&i.to_le_bytes());
            CodeVerifier::from_random_bytes(&octets)
        })
        .collect();
    for window in [0, 1, 30, 600] {
        let mut g = ReuseGuard::<4096>::new(KEY, window);
        let mut model = Vec::new();
        let mut now = 1_000u64;
        let (mut refused, mut accepted) = (0, 0);
        for _ in 0..5_000 {
            now = match rng.next_u32() % 20 {
                0 => now.saturating_sub(u64::from(rng.next_u32() % 100)),
                _ => now + u64::from(rng.next_u32() % 8),
            };
            let client = clients[rng.next_u32() as usize % clients.len()];
            let v = &verifiers[rng.next_u32() as usize % verifiers.len()];
            let method = if rng.next_u32() % 2 == 0 {
                ChallengeMethod::S256
            } else {
                ChallengeMethod::Plain
            };
            let c = v.challenge_with(method);
            let digest: [u8; 32] = Sha256::digest(v.secret().as_bytes()).into();
            let expected = model_check(&mut model, client, digest, now, window);
            assert_eq!(g.check_and_record(client, &c, now), expected);
            match expected {
                Ok(()) => accepted += 1,
                Err(_) => refused += 1,
            }
        }
        // Both answers occur, even with a window of 0: the clock goes back.
        assert!(accepted > 0 && refused > 0, "window {window}");
    }
}

/// Runs the guard's destructor in place and returns the bytes left behind.
#[allow(unsafe_code)] // to look at a value's memory after its destructor ran
fn bytes_around_drop<const N: usize>(guard: ReuseGuard<N>) -> (Vec<u8>, Vec<u8>) {
    let mut slot = std::mem::MaybeUninit::new(guard);
    let size = size_of::<ReuseGuard<N>>();
    // SAFETY: `slot` holds an initialized guard (byte arrays and integers,
    // no padding), read as bytes, then dropped exactly once and never used
    // as a guard again; its storage stays valid and is read as bytes.
    unsafe {
        let before = std::slice::from_raw_parts(slot.as_ptr().cast::<u8>(), size).to_vec();
        std::ptr::drop_in_place(slot.as_mut_ptr());
        let after = std::slice::from_raw_parts(slot.as_ptr().cast::<u8>(), size).to_vec();
        (before, after)
    }
}

#[test]
fn the_key_and_the_entries_are_zeroized_on_drop() {
    let key = [0xab; 32];
    let mut g = ReuseGuard::<8>::new(key, 0x0102_0304);
    let c = challenge(5);
    let fingerprint = g.fingerprint("spa", &c);
    g.check_and_record("spa", &c, 1_000).unwrap();
    let (before, after) = bytes_around_drop(g);
    let has = |bytes: &[u8], needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(has(&before, &key) && has(&before, &fingerprint), "control");
    assert!(!has(&after, &key[..4]), "the key is left");
    assert!(!has(&after, &fingerprint[..8]), "an entry is left");
    assert!(
        !has(&after, &1_000u64.to_le_bytes()[..2]),
        "an expiry is left"
    );
    // Only the window, which is not secret, remains.
    let window = 0x0102_0304u64.to_le_bytes();
    assert_eq!(after.iter().filter(|&&b| b != 0).count(), 4);
    assert!(has(&after, &window[..4]));
}
