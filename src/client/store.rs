//! `FlowStore`: a fixed table of pending flows keyed by `state`.

use core::fmt;

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::ZeroizeOnDrop;

use super::binding::Binding;
use super::state::State;
use super::{ClientFlow, FlowError, check_age};
use crate::alphabet::{B64_32_LEN, MAX_LEN};
use crate::secret_text::SecretText;
use crate::verifier::CodeVerifier;

/// Up to `N` pending [`ClientFlow`]s, keyed by their `state`, without a
/// heap: for a native app waiting for its redirect, or for one user's
/// session in a server-side web client (see [`ClientFlow`]'s storage
/// recipes; never one table for all users).
///
/// - [`insert`](Self::insert) keeps a flow; [`take`](Self::take) removes
///   and returns the flow of a returned `state`, once: a replayed `state`
///   finds nothing.
/// - A flow older than the store's maximum age (600 s by default) cannot be
///   taken; expired entries are dropped by [`purge_expired`](Self::purge_expired),
///   by every `insert`, and by `take` when it meets them.
/// - When every entry is a live flow, `insert` refuses with
///   [`FlowError::Full`]; it never evicts one. Evicting would let whoever
///   can start flows (any page that links to the login) push out the flow
///   of a user who is signing in, whose callback would then fail.
///
/// Each lookup scans all `N` entries, comparing each `state` in constant
/// time: O(N), fine for the handful of concurrent sign-ins a client has.
/// The table is inline, about 450 bytes per entry (190 for the flow, 260
/// for the issuer and resource of a bound flow, up to 128 octets each): a
/// store of 64 entries is about 29 KiB wherever it is placed (stack,
/// `static`, a session).
/// Entries are kept as plain octets (not as moved [`ClientFlow`]s) and
/// zeroized as soon as they are taken, purged, or the store is dropped.
///
/// # Example
///
/// ```
/// use proofkey::{ClientFlow, FlowError, FlowStore};
/// let mut rng = rand::rng();
///
/// let now = 1_700_000_000;
/// let mut store = FlowStore::<8>::new();
/// let flow = ClientFlow::from_rng(&mut rng, now)?;
/// let pairs = flow.authorization_pairs().map(|(k, v)| (k, v.to_owned())); // for the URL
/// let state = flow.state().to_owned();
/// store.insert(flow, now)?;
///
/// // The redirect comes back with `state`:
/// let flow = store.take(&state, now + 20)?;
/// assert_eq!(flow.state(), state);
/// // used once
/// assert_eq!(store.take(&state, now + 21).unwrap_err(), FlowError::StateMismatch);
/// # Ok::<(), FlowError>(())
/// ```
pub struct FlowStore<const N: usize> {
    slots: [Slot; N],
    max_age_secs: u64,
}

/// One entry: the text of a flow, all zero when free.
struct Slot {
    occupied: bool,
    issued_at: u64,
    state: SecretText<B64_32_LEN>,
    verifier: SecretText<MAX_LEN>,
    /// The issuer and resource of a bound flow.
    binding: Binding,
}

impl Slot {
    const FREE: Self = Self {
        occupied: false,
        issued_at: 0,
        state: SecretText::EMPTY,
        verifier: SecretText::EMPTY,
        binding: Binding::UNBOUND,
    };

    fn fill(&mut self, flow: &ClientFlow) {
        let (verifier, state, binding) = flow.parts();
        if let Some(copy) = SecretText::copy_of(verifier.secret()) {
            self.verifier = copy;
            self.binding = binding.clone();
            self.state = SecretText::EMPTY;
            self.state.push(state.as_bytes());
            self.issued_at = flow.issued_at();
            self.occupied = true;
        }
    }

    /// The flow held here; the slot is then cleared.
    fn take(&mut self) -> Result<ClientFlow, FlowError> {
        let verifier = CodeVerifier::parse(self.verifier.as_str()).ok();
        let state = State::parse(self.state.as_bytes());
        let issued_at = self.issued_at;
        let binding = core::mem::replace(&mut self.binding, Binding::UNBOUND);
        self.clear();
        match (verifier, state) {
            (Some(verifier), Some(state)) => {
                Ok(ClientFlow::from_parts(verifier, state, issued_at, binding))
            }
            // Slots are only filled from valid flows.
            _ => Err(FlowError::Malformed),
        }
    }

    fn is_live(&self, now_secs: u64, max_age_secs: u64) -> bool {
        self.occupied && check_age(self.issued_at, now_secs, max_age_secs).is_ok()
    }

    fn clear(&mut self) {
        // The old texts are zeroized as they drop.
        self.state = SecretText::EMPTY;
        self.verifier = SecretText::EMPTY;
        self.binding = Binding::UNBOUND;
        self.issued_at = 0;
        self.occupied = false;
    }
}

impl<const N: usize> FlowStore<N> {
    /// An empty store whose flows expire after
    /// [`ClientFlow::DEFAULT_MAX_AGE_SECS`] (10 minutes).
    ///
    /// ```
    /// let store = proofkey::FlowStore::<4>::new();
    /// assert!(store.is_empty());
    /// assert_eq!(store.capacity(), 4);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self::with_max_age(ClientFlow::DEFAULT_MAX_AGE_SECS)
    }

    /// An empty store whose flows expire when `now - issued_at > max_age_secs`.
    ///
    /// ```
    /// let store = proofkey::FlowStore::<4>::with_max_age(120);
    /// assert_eq!(store.max_age_secs(), 120);
    /// ```
    #[must_use]
    pub const fn with_max_age(max_age_secs: u64) -> Self {
        Self {
            slots: [Slot::FREE; N],
            max_age_secs,
        }
    }

    /// The maximum age of a flow, in seconds.
    ///
    /// ```
    /// assert_eq!(proofkey::FlowStore::<4>::new().max_age_secs(), 600);
    /// ```
    #[must_use]
    pub const fn max_age_secs(&self) -> u64 {
        self.max_age_secs
    }

    /// How many flows the store can hold: `N`.
    ///
    /// ```
    /// assert_eq!(proofkey::FlowStore::<16>::new().capacity(), 16);
    /// ```
    #[must_use]
    pub const fn capacity(&self) -> usize {
        N
    }

    /// How many entries are held, expired ones included until they are
    /// dropped.
    ///
    /// ```
    /// let mut rng = rand::rng();
    /// let mut store = proofkey::FlowStore::<4>::new();
    /// store.insert(proofkey::ClientFlow::from_rng(&mut rng, 0)?, 0)?;
    /// assert_eq!(store.len(), 1);
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.occupied).count()
    }

    /// Whether no entry is held.
    ///
    /// ```
    /// assert!(proofkey::FlowStore::<4>::new().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps `flow` until its `state` comes back, after dropping the
    /// entries that have expired at `now_secs`. Build the authorization URL
    /// from the flow before handing it over.
    ///
    /// ```
    /// use proofkey::{ClientFlow, FlowError, FlowStore};
    /// let mut rng = rand::rng();
    ///
    /// let mut store = FlowStore::<1>::new();
    /// store.insert(ClientFlow::from_rng(&mut rng, 0)?, 0)?;
    /// let second = ClientFlow::from_rng(&mut rng, 10)?;
    /// assert_eq!(store.insert(second, 10).unwrap_err(), FlowError::Full); // the first is live
    /// let third = ClientFlow::from_rng(&mut rng, 601)?;
    /// assert_eq!(store.insert(third, 601), Ok(())); // the first expired and was dropped
    /// # Ok::<(), FlowError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Nothing is stored, and `flow` is dropped (zeroized), when:
    /// [`FlowError::Expired`] or [`FlowError::FromFuture`], the flow's own
    /// age at `now_secs`; [`FlowError::DuplicateState`], an entry has the
    /// same `state` (the same flow resumed twice); [`FlowError::Full`],
    /// every entry holds a flow that has not expired.
    pub fn insert(&mut self, flow: ClientFlow, now_secs: u64) -> Result<(), FlowError> {
        check_age(flow.issued_at(), now_secs, self.max_age_secs)?;
        self.purge_expired(now_secs);
        let (_, state, _) = flow.parts();
        if self.find(state.as_bytes()).is_some() {
            return Err(FlowError::DuplicateState);
        }
        let slot = self
            .slots
            .iter_mut()
            .find(|s| !s.occupied)
            .ok_or(FlowError::Full)?;
        slot.fill(&flow);
        Ok(())
    }

    /// Removes and returns the flow whose `state` is `returned_state`, if it
    /// has not expired at `now_secs`. An expired match is removed too.
    ///
    /// ```
    /// use proofkey::{ClientFlow, FlowError, FlowStore};
    /// let mut rng = rand::rng();
    ///
    /// let mut store = FlowStore::<4>::new();
    /// let flow = ClientFlow::from_rng(&mut rng, 0)?;
    /// let state = flow.state().to_owned();
    /// store.insert(flow, 0)?;
    /// assert_eq!(store.take("forged", 1).unwrap_err(), FlowError::StateMismatch);
    /// assert_eq!(store.take(&state, 601).unwrap_err(), FlowError::Expired);
    /// assert!(store.is_empty());
    /// # Ok::<(), FlowError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`FlowError::StateMismatch`] if no entry has this `state` (forged,
    /// replayed or already taken); [`FlowError::Expired`] or
    /// [`FlowError::FromFuture`] if the matching flow is too old or from the
    /// future (it is removed all the same).
    ///
    /// # Timing
    ///
    /// Every entry's `state` is compared in constant time, so the time of
    /// the scan depends on `N` and on the length of `returned_state`, not
    /// on how much of it matches an entry. Which entry matched (if any) is
    /// visible in the time and memory accesses that follow.
    pub fn take(&mut self, returned_state: &str, now_secs: u64) -> Result<ClientFlow, FlowError> {
        let index = self
            .find(returned_state.as_bytes())
            .ok_or(FlowError::StateMismatch)?;
        let slot = self.slots.get_mut(index).ok_or(FlowError::StateMismatch)?;
        let age = check_age(slot.issued_at, now_secs, self.max_age_secs);
        let flow = slot.take()?;
        age.map(|()| flow)
    }

    /// Drops every entry that has expired at `now_secs`, and returns how
    /// many were dropped. `insert` calls it; call it now and then to wipe
    /// expired verifiers from memory sooner.
    ///
    /// ```
    /// let mut rng = rand::rng();
    /// let mut store = proofkey::FlowStore::<4>::new();
    /// store.insert(proofkey::ClientFlow::from_rng(&mut rng, 0)?, 0)?;
    /// store.insert(proofkey::ClientFlow::from_rng(&mut rng, 500)?, 500)?;
    /// assert_eq!(store.purge_expired(601), 1);
    /// assert_eq!(store.len(), 1);
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    pub fn purge_expired(&mut self, now_secs: u64) -> usize {
        let mut dropped = 0usize;
        for slot in &mut self.slots {
            if slot.occupied && !slot.is_live(now_secs, self.max_age_secs) {
                slot.clear();
                dropped = dropped.saturating_add(1);
            }
        }
        dropped
    }

    /// The index of the occupied entry whose state is `state`, scanning all
    /// entries with constant-time comparisons.
    fn find(&self, state: &[u8]) -> Option<usize> {
        let mut found = Choice::from(0);
        let mut index = 0u64;
        for (i, slot) in (0u64..).zip(&self.slots) {
            let hit = Choice::from(u8::from(slot.occupied)) & slot.state.as_bytes().ct_eq(state);
            index.conditional_assign(&i, hit);
            found |= hit;
        }
        bool::from(found)
            .then(|| usize::try_from(index).ok())
            .flatten()
    }
}

impl<const N: usize> Default for FlowStore<N> {
    /// Same as [`FlowStore::new`].
    ///
    /// ```
    /// let store: proofkey::FlowStore<4> = Default::default();
    /// assert!(store.is_empty());
    /// ```
    fn default() -> Self {
        Self::new()
    }
}

// A slot's texts are `SecretText`s: dropping the store wipes every entry.
impl<const N: usize> ZeroizeOnDrop for FlowStore<N> {}

impl<const N: usize> fmt::Debug for FlowStore<N> {
    /// Shows the number of entries, the capacity and the maximum age, never
    /// a `state` or a verifier.
    ///
    /// ```
    /// let store = proofkey::FlowStore::<4>::new();
    /// assert_eq!(format!("{store:?}"), "FlowStore { len: 0, capacity: 4, max_age_secs: 600 }");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlowStore")
            .field("len", &self.len())
            .field("capacity", &N)
            .field("max_age_secs", &self.max_age_secs)
            .finish()
    }
}
