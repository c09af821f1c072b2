//! The keyed fingerprint of a (client, verifier digest) pair, and the
//! set of table slots it belongs to.

use crate::sha256::{H0, big_endian};

/// `SHA-256(key ‖ digest ‖ LE64(len(client_id)) ‖ client_id)`: the first
/// block, `key ‖ digest`, then the client id and the padding.
///
/// The encoding is injective (two fixed-size fields, then a
/// length-prefixed one), and the fingerprint is truncated to 16 octets,
/// which leaves nothing to extend (a length extension needs the full
/// state).
pub(super) struct Hashing {
    /// The SHA-256 state: after the first block, then after the last.
    state: [u32; 8],
}

/// The hash of the whole message: the fingerprint and the set.
pub(super) struct Hashed {
    state: [u32; 8],
}

/// The first block: the key and the digest, 64 octets.
const FIRST: usize = 64;

impl Hashing {
    pub(super) fn start(key: &[u8; 32], digest: &[u8; 32]) -> Self {
        let mut block = [0u8; 64];
        if let Some((k, d)) = block.split_first_chunk_mut::<32>() {
            *k = *key;
            d.copy_from_slice(digest);
        }
        let mut state = H0;
        sha2::block_api::compress256(&mut state, &[block]);
        Self { state }
    }

    /// Hashes the rest of the message: the client id and the padding.
    pub(super) fn finish(mut self, client_id: &[u8]) -> Hashed {
        let len = client_id.len();
        // The message after the first block: LE64(len) ‖ client_id, then
        // the padding (FIPS 180-4 §5.1.1): 0x80, zeros, the bit length.
        let prefix = le64(len);
        let total = FIRST.saturating_add(prefix.len()).saturating_add(len);
        let bits = u64::try_from(total).unwrap_or(u64::MAX).wrapping_mul(8);
        if let Some(block) = one_block(&prefix, client_id, bits) {
            sha2::block_api::compress256(&mut self.state, &[block]);
        } else {
            self.absorb(&prefix, client_id, bits);
        }
        Hashed { state: self.state }
    }

    /// The tail of any length, octet by octet (client ids over 47 octets).
    fn absorb(&mut self, prefix: &[u8; 8], client_id: &[u8], bits: u64) {
        let mut tail = Tail {
            block: [0; 64],
            len: 0,
        };
        for part in [&prefix[..], client_id] {
            for &octet in part {
                tail.push(&mut self.state, octet);
            }
        }
        tail.push(&mut self.state, 0x80);
        // Zeros up to 56 octets into a block (0 to 63 of them; bounded, so
        // the loop ends whatever `push` does).
        for _ in 0..(120usize.wrapping_sub(tail.len) & 63) {
            tail.push(&mut self.state, 0);
        }
        for octet in bits.to_be_bytes() {
            tail.push(&mut self.state, octet);
        }
    }
}

impl Hashed {
    /// The first 16 octets of the hash.
    pub(super) fn fingerprint(&self) -> [u8; 16] {
        big_endian(&self.state)
    }

    /// A set of `0..n`, from octets 16 to 23 of the hash (past the stored
    /// fingerprint), scaled (multiply and shift, so any `n` works and none
    /// is favoured). The client is part of the hash: pairs of many clients
    /// that share one verifier, such as a constant one copied into several
    /// apps, spread over the table instead of crowding one set. Keyed, so
    /// a client cannot aim at a set.
    pub(super) fn set(&self, n: usize) -> usize {
        let [.., a, b, _, _] = self.state;
        let word = u64::from(a) << 32 | u64::from(b);
        let scaled = u128::from(word).wrapping_mul(n as u128) >> 64;
        // < n, so it fits.
        usize::try_from(scaled).unwrap_or(0)
    }
}

/// The tail as one padded block, when it fits: a client id of up to 47
/// octets (8 + 47 + the 0x80 octet + the 8-octet bit length = 64).
fn one_block(prefix: &[u8; 8], client_id: &[u8], bits: u64) -> Option<[u8; 64]> {
    let mut block = [0u8; 64];
    let (p, rest) = block.split_first_chunk_mut::<8>()?;
    *p = *prefix;
    let (c, rest) = rest.split_at_mut_checked(client_id.len())?;
    c.copy_from_slice(client_id);
    *rest.first_mut()? = 0x80;
    let (rest, length) = rest.split_last_chunk_mut::<8>()?;
    // The 0x80 octet must come before the length field.
    if rest.is_empty() {
        return None;
    }
    *length = bits.to_be_bytes();
    Some(block)
}

/// A block being filled; compressed as soon as it is full.
struct Tail {
    block: [u8; 64],
    len: usize,
}

impl Tail {
    #[inline(always)]
    fn push(&mut self, state: &mut [u32; 8], octet: u8) {
        if let Some(slot) = self.block.get_mut(self.len) {
            *slot = octet;
        }
        self.len = self.len.wrapping_add(1);
        if self.len == 64 {
            sha2::block_api::compress256(state, &[self.block]);
            self.len = 0;
        }
    }
}

/// The length as 8 little-endian octets.
fn le64(len: usize) -> [u8; 8] {
    // usize is at most 64 bits on every target Rust supports.
    u64::try_from(len).unwrap_or(u64::MAX).to_le_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn the_fingerprint_is_sha256_of_the_documented_message() {
        let key: [u8; 32] = core::array::from_fn(|i| i as u8 ^ 0x5c);
        let digest: [u8; 32] = core::array::from_fn(|i| (i * 7) as u8);
        let client: [u8; 300] = core::array::from_fn(|i| b'a' + (i % 26) as u8);
        // Every padding case: the tail in one, two or more blocks, and the
        // lengths where 0x80 or the bit length spill into the next block.
        for len in 0..=client.len() {
            let id = &client[..len];
            let mut message = [0u8; 32 + 32 + 8 + 300];
            message[..32].copy_from_slice(&key);
            message[32..64].copy_from_slice(&digest);
            message[64..72].copy_from_slice(&(len as u64).to_le_bytes());
            message[72..72 + len].copy_from_slice(id);
            let expected: [u8; 32] = Sha256::digest(&message[..72 + len]).into();
            let got = Hashing::start(&key, &digest).finish(id).fingerprint();
            assert_eq!(got, expected[..16], "len {len}");
        }
    }

    #[test]
    fn the_set_is_in_range_and_depends_on_key_digest_and_client() {
        let set = |key: u8, digest: u8, client: &[u8], n| {
            Hashing::start(&[key; 32], &[digest; 32])
                .finish(client)
                .set(n)
        };
        for n in [1, 2, 3, 7, 8, 1000, 1 << 16, usize::MAX] {
            assert!(set(1, 3, b"spa", n) < n, "n {n}");
        }
        // Another key, digest or client: another set (for these values,
        // by computation; 1 in 65,536 would collide by chance).
        let a = set(1, 3, b"spa", 1 << 16);
        assert_ne!(a, set(2, 3, b"spa", 1 << 16));
        assert_ne!(a, set(1, 4, b"spa", 1 << 16));
        assert_ne!(a, set(1, 3, b"spb", 1 << 16));
    }
}
