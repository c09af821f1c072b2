//! Detecting a PKCE challenge that a client presented before
//! (RFC 9700 §2.1.1).

use core::fmt;

use zeroize::{DefaultIsZeroes, Zeroize};

use crate::challenge::CodeChallenge;
use crate::policy::AuthorizeError;

mod fingerprint;
use fingerprint::Hashed;

/// The slots of one set: the most entries that share a set.
const WAYS: usize = 8;

/// Detects a client presenting the same PKCE challenge twice within a time
/// window, in a fixed table of `N` entries: no heap, no panic, expected
/// O(1) per call at any `N`.
///
/// RFC 9700 §2.1.1: "the PKCE challenge or OpenID Connect `nonce` MUST be
/// transaction-specific and securely bound to the client and the user
/// agent in which the transaction was started. Authorization servers are
/// encouraged to make a reasonable effort at detecting and preventing the
/// use of constant values for the PKCE challenge or OpenID Connect
/// `nonce`." A client with a constant verifier has no PKCE protection at
/// all: whoever learnt it once redeems every code the client gets.
///
/// Call [`check_and_record`](Self::check_and_record) after
/// [`Policy::authorize`](crate::Policy::authorize) succeeds and before
/// issuing the code; an `Err` is sent by redirect like any other
/// [`AuthorizeError`].
///
/// # What is stored
///
/// A 16-octet keyed [fingerprint](Self::fingerprint) of the client and of
/// the verifier behind the challenge, and when it expires: 24 octets per
/// entry, never the challenge (a plain challenge *is* a verifier). Two
/// challenges from the same verifier count as the same whatever their
/// methods: a verifier sent once as plain and once as S256 is reused.
/// The key makes the sets unpredictable, so no client can aim requests
/// at another client's entries.
///
/// # The table
///
/// - **Time.** `now_secs` is any clock in seconds that the caller picks
///   (Unix time, or seconds since start-up from a monotonic clock), the
///   same one for every call. An entry recorded at `t` is live while
///   `now_secs < t + window_secs` (the sum saturates at `u64::MAX`). A
///   clock that goes backwards keeps entries live longer, never shorter,
///   and never panics or overflows. With a `window_secs` of 0, an entry
///   is never live at or after the time it was recorded: with a clock
///   that does not go back, every call succeeds.
/// - **Sets.** The slots form sets of 8 consecutive ones (the last set
///   is smaller when `N` is not a multiple of 8; a guard of up to 8 slots
///   is one set). A (client, verifier) pair belongs to one set, which
///   the keyed hash of the pair picks (octets 16 to 23 of the hash whose
///   first 16 are the fingerprint), so pairs spread evenly over the table
///   whatever their clients and verifiers: one constant verifier used by
///   many clients fills as many sets as it has clients. A call reads that
///   set and nothing else. The same fingerprint, live, is a reuse. Otherwise
///   the entry goes into that fingerprint's slot if it is there
///   (expired), else into a free or expired slot, else, when all 8 are
///   live, into the slot of the one that expires first: the oldest entry
///   of the set goes (best effort, as RFC 9700 asks).
/// - **What can be missed.** A reuse after its entry expired, or after 8
///   newer live entries came to its set. With `L` live entries, a set
///   overflows with probability about 2·10⁻⁷ at `L = N/10`, 2·10⁻⁴ at
///   `N/4`, 2·10⁻² at `N/2` (Poisson tails). A false alarm needs two
///   pairs with the same 128-bit fingerprint.
/// - **Size.** `N` is any number from 1 up (`N = 0` does not compile), at
///   24 octets a slot plus 40: `ReuseGuard<1024>` is 24 KiB,
///   `ReuseGuard<65_536>` 1.5 MiB. Size it at several times the number of
///   distinct authorization requests expected within one window. Put a
///   large one in a `static` (as below) or build it on a thread with a
///   large stack: the library does not allocate, and a value that large
///   may not fit on the stack of a worker thread. It is zeroized on drop.
///
/// # Several server instances
///
/// One table per process only sees that process's requests. Servers
/// behind a load balancer keep the [fingerprint](Self::fingerprint)
/// instead in their shared store, with the same key on every instance:
/// an insert-if-absent with a time to live of `window_secs` (Redis:
/// `SET <prefix><hex fingerprint> 1 NX EX <window_secs>`; SQL: an insert
/// into a table whose primary key is the fingerprint, after deleting
/// expired rows). The insert failing because the key exists is a reuse:
/// answer [`AuthorizeError::ChallengeReused`]. The store then holds 16
/// octets per request and nothing a verifier can be recovered from.
///
/// # Example
///
/// ```
/// use std::sync::Mutex;
/// use proofkey::{AuthorizeError, ClientType, Policy, ReuseGuard};
///
/// // A static costs no stack; its key comes from configuration at start-up.
/// static GUARD: Mutex<ReuseGuard<65_536>> = Mutex::new(ReuseGuard::new([0; 32], 0));
/// GUARD.lock().unwrap().reset([7; 32], 600); // use a secret random key
///
/// let policy = Policy::production();
/// let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// let now = 1_700_000_000; // seconds
/// let authorize = |client_id, now| -> Result<(), AuthorizeError> {
///     let bound = policy.authorize(ClientType::Public, Some(challenge), Some("S256"))?;
///     if let Some(c) = &bound {
///         GUARD.lock().unwrap().check_and_record(client_id, c, now)?;
///     }
///     Ok(()) // issue the code
/// };
/// authorize("spa", now)?;
/// assert_eq!(authorize("spa", now + 5), Err(AuthorizeError::ChallengeReused));
/// authorize("other-app", now + 5)?; // another client's entry
/// authorize("spa", now + 600)?; // the window is over
/// # Ok::<(), AuthorizeError>(())
/// ```
pub struct ReuseGuard<const N: usize> {
    key: [u8; 32],
    window_secs: u64,
    slots: [Slot; N],
}

/// One entry: `expires_at == 0` is never live, so the all-zero slot is free.
#[derive(Clone, Copy, Default)]
struct Slot {
    fingerprint: [u8; 16],
    expires_at: u64,
}

// The slots are zeroized as whole values, one write each.
impl DefaultIsZeroes for Slot {}

impl Slot {
    const FREE: Self = Self {
        fingerprint: [0; 16],
        expires_at: 0,
    };
}

impl<const N: usize> ReuseGuard<N> {
    /// An empty guard that remembers a (client, challenge) pair for
    /// `window_secs` seconds, with `key` for its fingerprints. Use 32
    /// secret random octets, the same on every instance that shares
    /// fingerprints; a known key lets a client predict where its entries
    /// go. `const`, so that it can initialise a `static`.
    ///
    /// ```
    /// let guard = proofkey::ReuseGuard::<1024>::new([42; 32], 600);
    /// assert_eq!(size_of_val(&guard), 1024 * 24 + 40);
    /// ```
    ///
    /// `N` must be at least 1: a guard of 0 entries is a compile-time
    /// error, never a run-time panic.
    ///
    /// ```compile_fail
    /// let guard = proofkey::ReuseGuard::<0>::new([42; 32], 600);
    /// ```
    #[must_use]
    pub const fn new(key: [u8; 32], window_secs: u64) -> Self {
        const { assert!(N > 0, "ReuseGuard<N> needs N >= 1") };
        Self {
            key,
            window_secs,
            slots: [Slot::FREE; N],
        }
    }

    /// Forgets every entry and starts again as
    /// [`new(key, window_secs)`](Self::new) would, in place: to key a
    /// `static` guard at start-up, or to rotate the key (fingerprints made
    /// with the old key mean nothing under the new one).
    ///
    /// ```
    /// use proofkey::{ChallengeMethod, CodeChallenge, ReuseGuard};
    /// let value = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    /// let c = CodeChallenge::parse(value, ChallengeMethod::S256)?;
    /// let mut guard = ReuseGuard::<64>::new([1; 32], 600);
    /// guard.check_and_record("spa", &c, 100)?;
    /// guard.reset([2; 32], 600);
    /// guard.check_and_record("spa", &c, 101)?; // forgotten
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reset(&mut self, key: [u8; 32], window_secs: u64) {
        self.slots.as_mut_slice().zeroize();
        self.key.zeroize();
        self.key = key;
        self.window_secs = window_secs;
    }

    /// The first 16 octets of
    /// `SHA-256(key ‖ digest ‖ LE64(len(client_id)) ‖ client_id)`, where
    /// `digest` is SHA-256 of the verifier behind `challenge` (the decoded
    /// value of an S256 challenge, SHA-256 of a plain one) and `LE64` the
    /// length of `client_id` in octets, as 8 little-endian octets. It is what the
    /// table stores, and what a server with several instances keeps in
    /// its shared store instead (see [above](Self#several-server-instances)).
    ///
    /// ```
    /// use proofkey::{ChallengeMethod, CodeChallenge, ReuseGuard};
    /// let v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    /// let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    /// let s256 = CodeChallenge::parse(challenge, ChallengeMethod::S256)?;
    /// let plain = CodeChallenge::parse(v, ChallengeMethod::Plain)?;
    /// let guard = ReuseGuard::<1>::new([42; 32], 600);
    /// // the same verifier behind both
    /// assert_eq!(guard.fingerprint("spa", &s256), guard.fingerprint("spa", &plain));
    /// assert_ne!(guard.fingerprint("spa", &s256), guard.fingerprint("spa2", &s256));
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    #[must_use]
    pub fn fingerprint(&self, client_id: &str, challenge: &CodeChallenge) -> [u8; 16] {
        Hashed::new(&self.key, challenge.digest(), client_id.as_bytes()).fingerprint()
    }

    /// Refuses a challenge that `client_id` presented within the last
    /// `window_secs`, and records it otherwise.
    ///
    /// Call it after [`Policy::authorize`](crate::Policy::authorize)
    /// returns `Some(challenge)` and before issuing the code, with the
    /// `client_id` of the validated request and the current time in
    /// seconds (see [the table](Self#the-table) for the clock, the window
    /// and what happens when the table is full).
    ///
    /// ```
    /// use proofkey::{AuthorizeError, CodeVerifier, ReuseGuard};
    /// let mut guard = ReuseGuard::<1024>::new([42; 32], 600);
    /// let c = CodeVerifier::from_random_bytes(&[9; 32]).challenge();
    /// guard.check_and_record("spa", &c, 1_000)?;
    /// let err = guard.check_and_record("spa", &c, 1_599).unwrap_err();
    /// assert_eq!(err, AuthorizeError::ChallengeReused);
    /// assert_eq!(err.error_code(), "invalid_request");
    /// guard.check_and_record("spa", &c, 1_600)?; // expired: recorded again
    /// # Ok::<(), AuthorizeError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`AuthorizeError::ChallengeReused`] (`invalid_request`) when the
    /// same client presented a challenge from the same verifier and its
    /// entry is still live; the entry is left as it was. Send it by
    /// redirect as any other [`AuthorizeError`], and issue no code.
    pub fn check_and_record(
        &mut self,
        client_id: &str,
        challenge: &CodeChallenge,
        now_secs: u64,
    ) -> Result<(), AuthorizeError> {
        let hashed = Hashed::new(&self.key, challenge.digest(), client_id.as_bytes());
        let fingerprint = hashed.fingerprint();
        let first = hashed.set(N.div_ceil(WAYS)).saturating_mul(WAYS);
        let set = self
            .slots
            .get(first..first.saturating_add(WAYS).min(N))
            .unwrap_or_default();
        let mut target = 0;
        let mut target_expiry = u64::MAX;
        for (i, slot) in set.iter().enumerate() {
            if slot.fingerprint == fingerprint {
                if now_secs < slot.expires_at {
                    return Err(AuthorizeError::ChallengeReused);
                }
                // Each fingerprint has at most one slot in its set: reuse it.
                target = i;
                break;
            }
            // A free or expired slot's expiry is <= now_secs, below every
            // live one's; among live ones, the earliest is the oldest.
            if expires_first(slot.expires_at, target_expiry) {
                target = i;
                target_expiry = slot.expires_at;
            }
        }
        if let Some(slot) = self.slots.get_mut(first.saturating_add(target)) {
            *slot = Slot {
                fingerprint,
                expires_at: now_secs.saturating_add(self.window_secs),
            };
        }
        Ok(())
    }
}

/// Whether an entry expiring at `a` goes before one expiring at `b`. Of
/// two that expire together, the first in the set goes; which one is not
/// specified (and cannot be observed: a guard that took the last instead
/// fills each set in the mirror order and forgets the same entries).
#[inline(always)]
const fn expires_first(a: u64, b: u64) -> bool {
    a < b
}

impl<const N: usize> Drop for ReuseGuard<N> {
    fn drop(&mut self) {
        self.slots.as_mut_slice().zeroize();
        self.key.zeroize();
    }
}

impl<const N: usize> fmt::Debug for ReuseGuard<N> {
    /// The capacity and the window; never the key or the entries.
    ///
    /// ```
    /// let guard = proofkey::ReuseGuard::<16>::new([42; 32], 600);
    /// assert_eq!(format!("{guard:?}"), "ReuseGuard { capacity: 16, window_secs: 600, .. }");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReuseGuard")
            .field("capacity", &N)
            .field("window_secs", &self.window_secs)
            .finish_non_exhaustive()
    }
}
