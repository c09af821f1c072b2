//! The `Arbitrary` impls (feature `arbitrary`): every value is one the
//! library accepts, every length, character, method, client type and policy
//! is reachable, no input makes them fail or allocate, and `size_hint` is
//! exact.
#![cfg(feature = "arbitrary")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::BTreeSet;

use arbitrary::{Arbitrary, Unstructured};
use proofkey::{ChallengeMethod, ClientType, CodeChallenge, CodeVerifier, MissingMethod, Policy};
use rand::rand_core::{Rng, SeedableRng};
use rand::rngs::ChaCha20Rng;

#[path = "support/vectors.rs"]
mod vectors;
use vectors::UNRESERVED;

/// Random buffers of 0..=`max_len` bytes, the same on every run.
fn buffers(seed: u64, count: usize, max_len: u32) -> Vec<Vec<u8>> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let mut buf = vec![0u8; (rng.next_u32() % (max_len + 1)) as usize];
            rng.fill_bytes(&mut buf);
            buf
        })
        .collect()
}

/// The value `data` gives and the number of bytes it took.
fn draw<'a, T: Arbitrary<'a>>(data: &'a [u8]) -> (T, usize) {
    let mut u = Unstructured::new(data);
    let value = T::arbitrary(&mut u).expect("the impls never fail");
    (value, data.len() - u.len())
}

#[track_caller]
fn assert_valid_verifier(v: &CodeVerifier) {
    let s = v.secret();
    let parsed = CodeVerifier::parse(s).expect("a generated verifier parses");
    assert_eq!(parsed.secret(), s);
}

#[track_caller]
fn assert_valid_challenge(c: &CodeChallenge) {
    let parsed =
        CodeChallenge::parse(c.as_str(), c.method()).expect("a generated challenge parses");
    assert_eq!(&parsed, c);
    assert_eq!(parsed.method(), c.method());
    assert_eq!(parsed.as_str(), c.as_str());
}

#[test]
fn verifiers_are_valid_and_reach_every_length_and_character() {
    let mut lengths = BTreeSet::new();
    let mut chars = BTreeSet::new();
    for data in buffers(1, 5000, 300) {
        let (v, _) = draw::<CodeVerifier>(&data);
        assert_valid_verifier(&v);
        lengths.insert(v.secret().len());
        chars.extend(v.secret().bytes());
    }
    assert!(
        lengths.contains(&43) && lengths.contains(&128),
        "{lengths:?}"
    );
    assert_eq!(lengths, (43..=128).collect(), "every length 43..=128");
    assert_eq!(
        chars,
        UNRESERVED.iter().copied().collect(),
        "all 66 characters"
    );
}

#[test]
fn verifier_encoding_is_a_length_byte_then_one_byte_per_character() {
    // Length byte 85 -> 43 + 85 = 128; characters 0..=65 in order, then 66 = 0.
    let mut data = vec![85u8];
    data.extend(0..=130u8);
    let (v, used) = draw::<CodeVerifier>(&data);
    assert_eq!(used, 129);
    let expected: Vec<u8> = UNRESERVED
        .iter()
        .chain(UNRESERVED)
        .copied()
        .take(128)
        .collect();
    assert_eq!(v.secret().as_bytes(), expected);
    // Length byte 86 wraps to 43.
    let (v, used) = draw::<CodeVerifier>(&[86, 65, 64, 63, 62]);
    assert_eq!((v.secret().len(), used), (43, 5));
    assert!(v.secret().starts_with("~_.-A"), "{}", v.secret());
}

#[test]
fn challenges_parse_back_to_themselves_for_both_methods() {
    let mut methods = BTreeSet::new();
    for data in buffers(2, 3000, 300) {
        let (c, _) = draw::<CodeChallenge>(&data);
        assert_valid_challenge(&c);
        methods.insert(c.method().as_str());
    }
    assert_eq!(methods, ["S256", "plain"].into_iter().collect());
}

#[test]
fn challenge_sources_are_a_digest_a_verifier_s256_and_a_verifier_plain() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    for _ in 0..200 {
        let mut rest = [0u8; 140];
        rng.fill_bytes(&mut rest);

        // 0: S256 of an arbitrary digest, every canonical value reachable.
        let mut data = vec![0u8];
        data.extend_from_slice(&rest);
        let (c, used) = draw::<CodeChallenge>(&data);
        assert_eq!(used, 33);
        assert_eq!(c.method(), ChallengeMethod::S256);
        assert_eq!(
            c.as_str(),
            vectors::base64(&rest[..32], vectors::URL, false)
        );

        let (v, v_used) = draw::<CodeVerifier>(&rest);
        // 1: S256 of an arbitrary verifier, which it verifies.
        data[0] = 1;
        let (c, used) = draw::<CodeChallenge>(&data);
        assert_eq!((c.method(), used), (ChallengeMethod::S256, 1 + v_used));
        assert_eq!(c, v.challenge());
        assert_eq!(c.verify(v.secret()), Ok(()));
        // 2: plain, the verifier itself.
        data[0] = 2;
        let (c, used) = draw::<CodeChallenge>(&data);
        assert_eq!((c.method(), used), (ChallengeMethod::Plain, 1 + v_used));
        assert_eq!(c.as_str(), v.secret());
        assert_eq!(c.verify(v.secret()), Ok(()));
    }
}

#[test]
fn methods_client_types_and_policies_all_occur() {
    let mut methods = BTreeSet::new();
    let mut clients = BTreeSet::new();
    let mut policies = Vec::new();
    for data in buffers(4, 2000, 8) {
        methods.insert(draw::<ChallengeMethod>(&data).0.as_str());
        clients.insert(format!("{:?}", draw::<ClientType>(&data).0));
        let (p, _) = draw::<Policy>(&data);
        if !policies.contains(&p) {
            policies.push(p);
        }
    }
    assert_eq!(methods, ["S256", "plain"].into_iter().collect());
    assert_eq!(
        clients,
        ["Confidential", "Public"]
            .map(String::from)
            .into_iter()
            .collect()
    );
    // The presets, and every setting of each builder.
    for p in [
        Policy::production(),
        Policy::development(),
        Policy::oauth21(),
        Policy::fapi2(),
        Policy::oauth21().allow_plain(true),
        Policy::development().require_for_confidential(true),
        Policy::production().missing_method(MissingMethod::S256),
        Policy::fapi2().missing_method(MissingMethod::Plain),
    ] {
        assert!(policies.contains(&p), "{p:?} never drawn");
    }
    let settings: BTreeSet<_> = policies
        .iter()
        .map(|p| {
            (
                p.requires_pkce(ClientType::Confidential),
                p.allows(ChallengeMethod::Plain),
            )
        })
        .collect();
    assert_eq!(settings.len(), 4, "{settings:?}");
}

#[test]
fn policy_encoding_is_a_preset_then_each_builder_optionally() {
    // A preset byte, then per builder an `Option<bool>`: 0 = left alone,
    // 1 then b = called with `b & 1 == 1`; last `missing_method`: 0 = left
    // alone, 1 then m = Reject, Plain or S256.
    let presets = [
        Policy::production(),
        Policy::development(),
        Policy::oauth21(),
        Policy::fapi2(),
    ];
    for (byte, preset) in [0u8, 1, 2, 3, 4].into_iter().zip(presets.iter().cycle()) {
        for (m, missing) in [
            MissingMethod::Reject,
            MissingMethod::Plain,
            MissingMethod::S256,
        ]
        .into_iter()
        .enumerate()
        {
            let m = u8::try_from(m).unwrap();
            assert_eq!(
                draw::<Policy>(&[byte, 0, 0, 1, m]),
                (preset.missing_method(missing), 5)
            );
        }
        assert_eq!(draw::<Policy>(&[byte, 0, 0]), (*preset, 3));
        for flag in [false, true] {
            let b = u8::from(flag);
            let required = preset.require_for_confidential(flag);
            assert_eq!(draw::<Policy>(&[byte, 1, b, 0]), (required, 4));
            assert_eq!(
                draw::<Policy>(&[byte, 0, 1, b]),
                (preset.allow_plain(flag), 4)
            );
            let both = required.allow_plain(!flag);
            assert_eq!(draw::<Policy>(&[byte, 1, b, 1, 1 - b]), (both, 5));
        }
    }
}

#[test]
fn empty_and_short_input_still_give_valid_values() {
    let (v, _) = draw::<CodeVerifier>(&[]);
    assert_eq!(v.secret(), "A".repeat(43));
    let (c, _) = draw::<CodeChallenge>(&[]);
    assert_valid_challenge(&c);
    assert_eq!(c.method(), ChallengeMethod::S256);
    assert_eq!(c.as_str(), vectors::base64(&[0u8; 32], vectors::URL, false));
    assert_eq!(draw::<ChallengeMethod>(&[]).0, ChallengeMethod::S256);
    assert_eq!(draw::<ClientType>(&[]).0, ClientType::Public);
    assert_eq!(draw::<Policy>(&[]).0, Policy::production());

    // Every prefix of a long input: never an error, always valid.
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let mut data = [0u8; 140];
    rng.fill_bytes(&mut data);
    for end in 0..=data.len() {
        for start in [0, 1, 2] {
            let slice = &data[start.min(end)..end];
            assert_valid_verifier(&draw::<CodeVerifier>(slice).0);
            assert_valid_challenge(&draw::<CodeChallenge>(slice).0);
            draw::<Policy>(slice);
            draw::<ChallengeMethod>(slice);
            draw::<ClientType>(slice);
            let v = CodeVerifier::arbitrary_take_rest(Unstructured::new(slice)).unwrap();
            assert_valid_verifier(&v);
        }
    }
}

/// The bytes taken always lie within `size_hint`, and with enough input
/// both bounds are reached: the hint is exact, not merely safe.
fn assert_exact_size_hint<T: for<'a> Arbitrary<'a>>(name: &str, seed: u64) {
    let (lower, upper) = T::size_hint(0);
    let upper = upper.expect("every impl has an upper bound");
    let mut seen = BTreeSet::new();
    for data in buffers(seed, 3000, 2 * upper as u32) {
        let (_, used) = draw::<T>(&data);
        assert!(used <= upper, "{name}: took {used} > {upper}");
        if data.len() >= upper {
            assert!(used >= lower, "{name}: took {used} < {lower}");
            seen.insert(used);
        }
    }
    assert_eq!(
        seen.first(),
        Some(&lower),
        "{name}: lower bound never taken"
    );
    assert_eq!(seen.last(), Some(&upper), "{name}: upper bound never taken");
}

#[test]
fn size_hints_are_exact() {
    assert_eq!(CodeVerifier::size_hint(0), (44, Some(129)));
    assert_eq!(CodeChallenge::size_hint(0), (33, Some(130)));
    assert_eq!(Policy::size_hint(0), (4, Some(7)));
    assert_eq!(ChallengeMethod::size_hint(0), (1, Some(1)));
    assert_eq!(ClientType::size_hint(0), (1, Some(1)));
    assert_exact_size_hint::<CodeVerifier>("CodeVerifier", 6);
    assert_exact_size_hint::<CodeChallenge>("CodeChallenge", 7);
    assert_exact_size_hint::<Policy>("Policy", 8);
    assert_exact_size_hint::<ChallengeMethod>("ChallengeMethod", 9);
    assert_exact_size_hint::<ClientType>("ClientType", 10);
}

// --- no allocation: a counting global allocator, per thread.

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations<T>(f: impl FnOnce() -> T) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    std::hint::black_box(f());
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn no_impl_allocates() {
    assert!(
        allocations(|| vec![1u8; 16]) >= 1,
        "the counter sees allocations"
    );
    for data in buffers(11, 200, 300).iter().chain([&Vec::new()]) {
        let n = allocations(|| {
            let mut u = Unstructured::new(data);
            (
                CodeVerifier::arbitrary(&mut u),
                CodeChallenge::arbitrary(&mut u),
                CodeChallenge::arbitrary(&mut u),
                Policy::arbitrary(&mut u),
                ChallengeMethod::arbitrary(&mut u),
                ClientType::arbitrary(&mut u),
                CodeVerifier::arbitrary_take_rest(u),
            )
        });
        assert_eq!(n, 0, "allocated {n} times on {} bytes", data.len());
    }
}
