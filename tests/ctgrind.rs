//! Constant time, checked deterministically with valgrind memcheck
//! ("ctgrind", after Adam Langley's tool of that name).
//!
//! The stored challenge is marked *undefined* with memcheck's client
//! requests before `verify` runs. Memcheck then reports every conditional
//! branch and every memory address that depends on it, which is exactly what
//! a timing side channel needs. The verdict is marked defined again before it
//! is inspected: it is the one thing `verify` may reveal.
//!
//! Run under valgrind by `.ci/ctgrind.sh`:
//!
//! ```text
//! CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="valgrind -q --error-exitcode=42" \
//!     cargo test --release --test ctgrind -- --test-threads=1
//! ```
//!
//! Outside valgrind (and on other architectures) the client requests are
//! no-ops, so `cargo test` runs these as ordinary functional tests. The
//! `#[ignore]`d negative control checks that the harness can see a leak at
//! all: under valgrind it must be flagged.

// The client requests are inline asm; the library itself stays
// `#![forbid(unsafe_code)]`.
#![allow(unsafe_code)]

use proofkey::{ChallengeMethod, CodeChallenge, CodeVerifier, Error};

#[path = "support/vectors.rs"]
mod vectors;

/// Memcheck client requests (`valgrind/memcheck.h`), through the magic
/// instruction sequence of `valgrind/valgrind.h`.
mod memcheck {
    /// `VG_USERREQ_TOOL_BASE('M', 'C')`.
    const TOOL_BASE: usize = ((b'M' as usize) << 24) | ((b'C' as usize) << 16);
    const MAKE_MEM_UNDEFINED: usize = TOOL_BASE + 1;
    const MAKE_MEM_DEFINED: usize = TOOL_BASE + 2;

    /// `VALGRIND_DO_CLIENT_REQUEST_EXPR` for amd64: outside valgrind the
    /// sequence does nothing (the rotations of `rdi` add up to 128 bits and
    /// `xchg rbx, rbx` is a no-op) and `default` comes back unchanged.
    #[cfg(target_arch = "x86_64")]
    fn client_request(default: usize, request: usize, args: [usize; 5]) -> usize {
        let block: [usize; 6] = [request, args[0], args[1], args[2], args[3], args[4]];
        let mut result = default;
        // SAFETY: the preamble leaves `rdi` as it found it, `xchg rbx, rbx`
        // changes nothing, and the only register valgrind writes is `rdx`,
        // declared as an output. The request block is only read, and the
        // default memory clobber keeps the compiler from caching values
        // across the request.
        unsafe {
            core::arch::asm!(
                "rol rdi, 3",
                "rol rdi, 13",
                "rol rdi, 61",
                "rol rdi, 51",
                "xchg rbx, rbx",
                inout("rdx") result,
                in("rax") block.as_ptr(),
                options(nostack),
            );
        }
        result
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn client_request(default: usize, _request: usize, _args: [usize; 5]) -> usize {
        default
    }

    /// Tells memcheck that `value`'s bytes are secret from now on.
    ///
    /// Takes `&mut` so that the compiler reloads `value` from memory after
    /// the request (with `&` it could reuse values loaded before it).
    pub(crate) fn make_undefined<T: ?Sized>(value: &mut T) {
        let ptr = core::ptr::from_mut(value).cast::<u8>() as usize;
        let len = core::mem::size_of_val(value);
        client_request(0, MAKE_MEM_UNDEFINED, [ptr, len, 0, 0, 0]);
    }

    /// Declassifies `value`'s bytes.
    pub(crate) fn make_defined<T: ?Sized>(value: &mut T) {
        let ptr = core::ptr::from_mut(value).cast::<u8>() as usize;
        let len = core::mem::size_of_val(value);
        client_request(0, MAKE_MEM_DEFINED, [ptr, len, 0, 0, 0]);
    }
}

/// The harness: `secret` is undefined while `f` runs; `f`'s result is
/// declassified before anyone looks at it, and `secret` is declassified
/// again before it is used or dropped.
fn with_secret<S: ?Sized, R>(secret: &mut S, f: impl FnOnce(&S) -> R) -> R {
    memcheck::make_undefined(secret);
    let mut result = f(core::hint::black_box(&*secret));
    memcheck::make_defined(&mut result);
    memcheck::make_defined(secret);
    result
}

/// `verify` with the whole stored `CodeChallenge` (method, length, value and
/// digest) secret.
fn secret_verify(stored: &mut CodeChallenge, presented: &str) -> Result<(), Error> {
    with_secret(stored, |challenge| {
        challenge.verify(core::hint::black_box(presented))
    })
}

use vectors::{RFC_CHALLENGE as B_CHALLENGE, RFC_VERIFIER as B_VERIFIER, verifier_of_len};
/// `B_VERIFIER` with its first character changed.
const OTHER_FIRST: &str = "eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// `B_VERIFIER` with its last character changed.
const OTHER_LAST: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK";

#[test]
fn s256_verify_is_constant_time() {
    let mut parsed = CodeChallenge::parse(B_CHALLENGE, ChallengeMethod::S256).unwrap();
    assert_eq!(secret_verify(&mut parsed, B_VERIFIER), Ok(()));
    assert_eq!(
        secret_verify(&mut parsed, OTHER_FIRST),
        Err(Error::Mismatch)
    );
    assert_eq!(secret_verify(&mut parsed, OTHER_LAST), Err(Error::Mismatch));

    let mut derived = CodeVerifier::parse(B_VERIFIER)
        .unwrap()
        .challenge_with(ChallengeMethod::S256);
    assert_eq!(secret_verify(&mut derived, B_VERIFIER), Ok(()));
    assert_eq!(
        secret_verify(&mut derived, OTHER_FIRST),
        Err(Error::Mismatch)
    );
}

#[test]
fn plain_verify_is_constant_time() {
    let mut parsed = CodeChallenge::parse(B_VERIFIER, ChallengeMethod::Plain).unwrap();
    assert_eq!(secret_verify(&mut parsed, B_VERIFIER), Ok(()));
    assert_eq!(
        secret_verify(&mut parsed, OTHER_FIRST),
        Err(Error::Mismatch)
    );
    assert_eq!(secret_verify(&mut parsed, OTHER_LAST), Err(Error::Mismatch));

    // Stored lengths 43 and 128 against the same presented verifier.
    let long = verifier_of_len(128);
    let mut derived = CodeVerifier::parse(&long)
        .unwrap()
        .challenge_with(ChallengeMethod::Plain);
    assert_eq!(secret_verify(&mut derived, &long), Ok(()));
    assert_eq!(
        secret_verify(&mut derived, B_VERIFIER),
        Err(Error::Mismatch)
    );
    assert_eq!(secret_verify(&mut parsed, &long), Err(Error::Mismatch));
}

/// The negative control: a naive comparison of the stored challenge string
/// that returns at the first differing byte. Under valgrind this must be
/// reported ("Conditional jump or move depends on uninitialised value(s)");
/// if it is not, the harness is broken and the clean result above means
/// nothing. `.ci/ctgrind.sh` runs it with `--ignored` and expects exit 42.
#[test]
#[ignore = "negative control: must FAIL under valgrind (run by .ci/ctgrind.sh)"]
fn negative_control_naive_compare_is_flagged() {
    /// Early-exit byte comparison, the classic timing leak.
    #[inline(never)]
    fn naive_eq(stored: &[u8; 43], presented: &[u8]) -> bool {
        if presented.len() != stored.len() {
            return false;
        }
        for (a, b) in stored.iter().zip(presented) {
            if a != b {
                return false;
            }
        }
        true
    }

    let challenge = CodeChallenge::parse(B_CHALLENGE, ChallengeMethod::S256).unwrap();
    let mut stored: [u8; 43] = challenge.as_str().as_bytes().try_into().unwrap();
    let matching = CodeVerifier::parse(B_VERIFIER).unwrap().challenge();
    let other = CodeVerifier::parse(OTHER_FIRST).unwrap().challenge();

    let ok = with_secret(&mut stored, |s| naive_eq(s, matching.as_str().as_bytes()));
    let bad = with_secret(&mut stored, |s| naive_eq(s, other.as_str().as_bytes()));
    assert!(ok);
    assert!(!bad);
}
