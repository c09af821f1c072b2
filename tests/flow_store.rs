//! `FlowStore`: pending flows keyed by `state`, taken once, expired flows
//! dropped, never a live flow evicted, nothing left behind in memory.
#![allow(unsafe_code)] // to look at the store's memory after a take

use std::mem::size_of;

use proofkey::{ClientFlow, FlowError, FlowStore};
use rand::rand_core::{Rng, SeedableRng};
use rand::rngs::ChaCha20Rng;

const NOW: u64 = 1_700_000_000;

fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

/// Starts a flow at `now`, stores it, and returns (state, verifier).
fn insert<const N: usize>(
    store: &mut FlowStore<N>,
    rng: &mut ChaCha20Rng,
    now: u64,
) -> (String, String) {
    let flow = ClientFlow::from_rng(rng, now).unwrap();
    let kept = (flow.state().to_owned(), flow.verifier().secret().to_owned());
    store.insert(flow, now).unwrap();
    kept
}

#[test]
fn interleaved_flows_complete_in_any_order() {
    let mut rng = rng(1);
    let mut store = FlowStore::<32>::new();
    let mut pending: Vec<(String, String)> = (0..32)
        .map(|i| insert(&mut store, &mut rng, NOW + i))
        .collect();
    assert_eq!(store.len(), 32);
    assert!(!store.is_empty());
    // Take in a shuffled order, starting new flows in between.
    let mut taken = 0;
    while !pending.is_empty() {
        let i = rng.next_u32() as usize % pending.len();
        let (state, verifier) = pending.swap_remove(i);
        let flow = store.take(&state, NOW + 100).unwrap();
        assert_eq!(flow.state(), state);
        assert_eq!(flow.verifier().secret(), verifier);
        assert_eq!(flow.challenge().verify(&verifier), Ok(()));
        taken += 1;
        if taken % 4 == 0 && taken <= 64 {
            pending.push(insert(&mut store, &mut rng, NOW + 100));
        }
        assert_eq!(store.len(), pending.len());
    }
    assert!(store.is_empty());
}

#[test]
fn a_state_is_taken_once_and_a_foreign_state_takes_nothing() {
    let mut rng = rng(2);
    let mut store = FlowStore::<4>::new();
    let (a, _) = insert(&mut store, &mut rng, NOW);
    let (b, _) = insert(&mut store, &mut rng, NOW);
    let foreign = ClientFlow::from_rng(&mut rng, NOW).unwrap();
    let mut altered = a.clone();
    altered.replace_range(..1, if a.starts_with('A') { "B" } else { "A" });
    for state in [foreign.state(), &altered, &a[..42], &format!("{a} "), ""] {
        assert_eq!(
            store.take(state, NOW).unwrap_err(),
            FlowError::StateMismatch,
            "{state:?}"
        );
    }
    assert_eq!(store.len(), 2, "a failed take removes nothing");
    assert!(store.take(&a, NOW).is_ok());
    assert_eq!(
        store.take(&a, NOW).unwrap_err(),
        FlowError::StateMismatch,
        "replayed"
    );
    assert!(store.take(&b, NOW).is_ok());
    assert!(store.is_empty());
}

#[test]
fn an_expired_flow_cannot_be_taken_and_is_removed() {
    let mut rng = rng(3);
    let mut store = FlowStore::<4>::new();
    let (a, _) = insert(&mut store, &mut rng, NOW);
    let (b, _) = insert(&mut store, &mut rng, NOW);
    assert!(
        store.take(&a, NOW + 600).is_ok(),
        "exactly max age is still live"
    );
    assert_eq!(store.take(&b, NOW + 601).unwrap_err(), FlowError::Expired);
    assert!(store.is_empty());
    assert_eq!(
        store.take(&b, NOW + 1).unwrap_err(),
        FlowError::StateMismatch
    );

    let mut short = FlowStore::<2>::with_max_age(30);
    let (c, _) = insert(&mut short, &mut rng, NOW);
    assert_eq!(short.take(&c, NOW + 31).unwrap_err(), FlowError::Expired);
    let (d, _) = insert(&mut short, &mut rng, NOW);
    assert_eq!(short.take(&d, NOW - 61).unwrap_err(), FlowError::FromFuture);
}

#[test]
fn a_full_store_refuses_and_never_evicts_a_live_flow() {
    let mut rng = rng(4);
    let mut store = FlowStore::<3>::new();
    let kept: Vec<_> = (0..3)
        .map(|i| insert(&mut store, &mut rng, NOW + i))
        .collect();
    let extra = ClientFlow::from_rng(&mut rng, NOW + 10).unwrap();
    assert_eq!(store.insert(extra, NOW + 10).unwrap_err(), FlowError::Full);
    assert_eq!(store.len(), 3);
    // At NOW + 601 the first one has expired: an insert drops it and fits.
    let late = ClientFlow::from_rng(&mut rng, NOW + 601).unwrap();
    let late_state = late.state().to_owned();
    store.insert(late, NOW + 601).unwrap();
    assert_eq!(store.len(), 3);
    assert_eq!(
        store.take(&kept[0].0, NOW + 601).unwrap_err(),
        FlowError::StateMismatch
    );
    for (state, verifier) in &kept[1..] {
        assert_eq!(
            store.take(state, NOW + 601).unwrap().verifier().secret(),
            verifier
        );
    }
    assert!(store.take(&late_state, NOW + 601).is_ok());

    let mut none = FlowStore::<0>::new();
    let flow = ClientFlow::from_rng(&mut rng, NOW).unwrap();
    assert_eq!(none.insert(flow, NOW).unwrap_err(), FlowError::Full);
    assert_eq!(none.take("x", NOW).unwrap_err(), FlowError::StateMismatch);
}

#[test]
fn insert_refuses_a_stale_flow_and_a_duplicate_state() {
    let mut rng = rng(5);
    let mut store = FlowStore::<4>::new();
    let old = ClientFlow::from_rng(&mut rng, NOW).unwrap();
    assert_eq!(
        store.insert(old, NOW + 601).unwrap_err(),
        FlowError::Expired
    );
    let future = ClientFlow::from_rng(&mut rng, NOW + 61).unwrap();
    assert_eq!(
        store.insert(future, NOW).unwrap_err(),
        FlowError::FromFuture
    );
    assert!(store.is_empty());

    // The same stored flow resumed twice: one entry only.
    let flow = ClientFlow::from_rng(&mut rng, NOW).unwrap();
    let stored = flow.to_stored();
    let first = ClientFlow::resume(stored.secret(), flow.state(), NOW).unwrap();
    let second = ClientFlow::resume(stored.secret(), flow.state(), NOW).unwrap();
    store.insert(first, NOW).unwrap();
    assert_eq!(
        store.insert(second, NOW).unwrap_err(),
        FlowError::DuplicateState
    );
    assert_eq!(store.len(), 1);
}

#[test]
fn purge_expired_drops_exactly_the_expired_entries() {
    let mut rng = rng(6);
    let mut store = FlowStore::<8>::with_max_age(100);
    let states: Vec<_> = (0..8)
        .map(|i| insert(&mut store, &mut rng, NOW + 10 * i).0)
        .collect();
    assert_eq!(store.purge_expired(NOW + 100), 0);
    // Started at NOW, NOW+10, NOW+20: older than 100 s at NOW+121.
    assert_eq!(store.purge_expired(NOW + 121), 3);
    assert_eq!(store.len(), 5);
    assert_eq!(store.purge_expired(NOW + 121), 0);
    for state in &states[3..] {
        assert!(store.take(state, NOW + 121).is_ok());
    }
    assert_eq!(store.max_age_secs(), 100);
    assert_eq!(store.capacity(), 8);
}

#[test]
fn insert_drops_expired_entries_first() {
    let mut rng = rng(9);
    let mut store = FlowStore::<4>::new();
    let (old, _) = insert(&mut store, &mut rng, NOW);
    insert(&mut store, &mut rng, NOW + 100);
    assert_eq!(store.len(), 2);
    // At NOW + 601 the first has expired; the table is not full, yet it goes.
    let (new, _) = insert(&mut store, &mut rng, NOW + 601);
    assert_eq!(store.len(), 2);
    assert_eq!(
        store.take(&old, NOW + 601).unwrap_err(),
        FlowError::StateMismatch
    );
    assert!(store.take(&new, NOW + 601).is_ok());
}

fn bytes_of<T>(value: &T) -> Vec<u8> {
    // SAFETY: reading the initialized bytes of a live value; the store's
    // fields are byte arrays, integers and booleans.
    unsafe { std::slice::from_raw_parts((value as *const T).cast::<u8>(), size_of::<T>()).to_vec() }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn taken_and_purged_entries_leave_nothing_behind() {
    let mut rng = rng(7);
    let mut store = FlowStore::<4>::new();
    let (a, va) = insert(&mut store, &mut rng, NOW);
    let (_, vb) = insert(&mut store, &mut rng, NOW + 500);
    // (Reading padding bytes as u8, as tests/zeroize.rs does.)
    let memory = bytes_of(&store);
    assert!(
        contains(&memory, va.as_bytes()) && contains(&memory, a.as_bytes()),
        "control"
    );
    drop(store.take(&a, NOW).unwrap());
    let memory = bytes_of(&store);
    assert!(!contains(&memory, &va.as_bytes()[..8]) && !contains(&memory, &a.as_bytes()[..8]));
    assert!(
        contains(&memory, vb.as_bytes()),
        "the other entry is still there"
    );
    assert_eq!(store.purge_expired(NOW + 1101), 1);
    assert!(!contains(&bytes_of(&store), &vb.as_bytes()[..8]));
}

// Dropping the store wipes every entry still held.
#[test]
fn dropping_the_store_leaves_nothing_behind() {
    let mut rng = rng(8);
    let mut store = FlowStore::<4>::new();
    let held: Vec<(String, String)> = (0..3)
        .map(|i| insert(&mut store, &mut rng, NOW + i))
        .collect();
    let mut slot = std::mem::MaybeUninit::new(store);
    // SAFETY: `slot` holds an initialized store, dropped exactly once and
    // never used as a store again; its storage stays valid and is read as
    // bytes (padding included, as `bytes_of` does).
    let (before, after) = unsafe {
        let read = |p: *const FlowStore<4>| {
            std::slice::from_raw_parts(p.cast::<u8>(), size_of::<FlowStore<4>>()).to_vec()
        };
        let before = read(slot.as_ptr());
        std::ptr::drop_in_place(slot.as_mut_ptr());
        (before, read(slot.as_ptr()))
    };
    for (state, verifier) in &held {
        assert!(contains(&before, verifier.as_bytes()), "control");
        assert!(
            !contains(&after, &verifier.as_bytes()[..8]),
            "a verifier is left"
        );
        assert!(!contains(&after, &state.as_bytes()[..8]), "a state is left");
    }
}

#[test]
fn the_table_is_inline_and_as_small_as_documented() {
    // "about 450 bytes per entry (190 for the flow, 260 for the issuer and
    // resource of a bound flow): a store of 64 entries is about 29 KiB"
    let per_entry = (size_of::<FlowStore<64>>() - size_of::<FlowStore<0>>()) / 64;
    assert!((440..=456).contains(&per_entry), "{per_entry}");
    assert!(size_of::<FlowStore<64>>() <= 29 * 1024);
}

#[test]
fn debug_shows_counts_only() {
    let mut rng = rng(8);
    let mut store = FlowStore::<2>::new();
    let (state, verifier) = insert(&mut store, &mut rng, NOW);
    let dbg = format!("{store:?}");
    assert_eq!(dbg, "FlowStore { len: 1, capacity: 2, max_age_secs: 600 }");
    assert!(!dbg.contains(&state[..8]) && !dbg.contains(&verifier[..8]));
}
