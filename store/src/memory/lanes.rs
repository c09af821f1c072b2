//! Bounded entries with expiry, O(1) per operation: one insertion-ordered
//! hash map per distinct time to live (a "lane"). Within a lane, entries
//! expire in insertion order (same ttl, monotonic clock), so the expired
//! ones are always at the front: eviction pops them and never scans.

use std::hash::Hash;
use std::time::{Duration, Instant};

use hashlink::LinkedHashMap;

use crate::StoreError;

/// Distinct live ttls at once: each call visits every lane's front.
pub(super) const MAX_LANES: usize = 8;

pub(super) struct Entry<V> {
    pub(super) value: V,
    pub(super) expires: Instant,
}

pub(super) struct Lanes<K, V> {
    lanes: Vec<(Duration, LinkedHashMap<K, Entry<V>>)>,
    len: usize,
    capacity: usize,
}

impl<K: Hash + Eq + Copy, V> Lanes<K, V> {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            lanes: Vec::new(),
            len: 0,
            capacity,
        }
    }

    /// Drops every entry expired at `now`, passing each to `gone`: the
    /// fronts of at most [`MAX_LANES`] lanes, plus what is dropped.
    pub(super) fn evict(&mut self, now: Instant, mut gone: impl FnMut(V)) {
        for (_, lane) in &mut self.lanes {
            while lane.front().is_some_and(|(_, e)| e.expires <= now) {
                if let Some((_, e)) = lane.pop_front() {
                    self.len -= 1;
                    gone(e.value);
                }
            }
        }
        self.lanes.retain(|(_, lane)| !lane.is_empty());
    }

    pub(super) fn get(&self, key: &K) -> Option<&Entry<V>> {
        self.lanes.iter().find_map(|(_, lane)| lane.get(key))
    }

    pub(super) fn remove(&mut self, key: &K) -> Option<Entry<V>> {
        let found = self.lanes.iter_mut().find_map(|(_, l)| l.remove(key));
        if found.is_some() {
            self.len -= 1;
        }
        found
    }

    /// Inserts a key that is not present (the caller checked, after `evict`).
    pub(super) fn insert(
        &mut self,
        key: K,
        value: V,
        ttl: Duration,
        now: Instant,
    ) -> Result<(), StoreError> {
        let expires = now.checked_add(ttl).ok_or(StoreError::BadTtl)?;
        if ttl.is_zero() {
            return Err(StoreError::BadTtl);
        }
        if self.len >= self.capacity {
            return Err(StoreError::Full);
        }
        let lane = match self.lanes.iter().position(|(t, _)| *t == ttl) {
            Some(i) => i,
            None if self.lanes.len() < MAX_LANES => {
                self.lanes.push((ttl, LinkedHashMap::new()));
                self.lanes.len() - 1
            }
            // More distinct ttls than lanes: refused rather than unordered.
            None => return Err(StoreError::BadTtl),
        };
        if let Some((_, lane)) = self.lanes.get_mut(lane) {
            lane.insert(key, Entry { value, expires });
            self.len += 1;
        }
        Ok(())
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }
}
