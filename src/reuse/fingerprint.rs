//! The keyed fingerprint of a (client, verifier digest) pair, and the
//! set of table slots it belongs to.

use sha2::{Digest, Sha256};

/// `SHA-256(key ‖ digest ‖ LE64(len(client_id)) ‖ client_id)`.
///
/// The encoding is injective (two fixed-size fields, then a
/// length-prefixed one). The stored fingerprint is its first 16 octets,
/// which leaves nothing to extend (a length extension needs the full
/// state); the set comes from the next 8.
pub(super) struct Hashed([u8; 32]);

impl Hashed {
    pub(super) fn new(key: &[u8; 32], digest: &[u8; 32], client_id: &[u8]) -> Self {
        // usize is at most 64 bits on every target Rust supports.
        let len = u64::try_from(client_id.len()).unwrap_or(u64::MAX);
        Self(
            Sha256::new()
                .chain_update(key)
                .chain_update(digest)
                .chain_update(len.to_le_bytes())
                .chain_update(client_id)
                .finalize()
                .into(),
        )
    }

    /// The first 16 octets of the hash.
    pub(super) fn fingerprint(&self) -> [u8; 16] {
        let mut out = [0; 16];
        if let Some(head) = self.0.first_chunk::<16>() {
            out = *head;
        }
        out
    }

    /// A set of `0..n`, from octets 16 to 23 of the hash (past the stored
    /// fingerprint), scaled (multiply and shift, so any `n` works and none
    /// is favoured). The client is part of the hash: pairs of many clients
    /// that share one verifier, such as a constant one copied into several
    /// apps, spread over the table instead of crowding one set. Keyed, so
    /// a client cannot aim at a set.
    pub(super) fn set(&self, n: usize) -> usize {
        let mut word = [0; 8];
        if let Some(octets) = self.0.get(16..24) {
            word.copy_from_slice(octets);
        }
        let scaled = u128::from(u64::from_be_bytes(word)).wrapping_mul(n as u128) >> 64;
        // < n, so it fits.
        usize::try_from(scaled).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_is_sha256_of_the_documented_message() {
        let key: [u8; 32] = core::array::from_fn(|i| i as u8 ^ 0x5c);
        let digest: [u8; 32] = core::array::from_fn(|i| (i * 7) as u8);
        let client: [u8; 300] = core::array::from_fn(|i| b'a' + (i % 26) as u8);
        // Tails of one, two or more blocks.
        for len in [0, 1, 47, 48, 55, 56, 64, 119, 120, 300] {
            let id = &client[..len];
            let mut message = [0u8; 32 + 32 + 8 + 300];
            message[..32].copy_from_slice(&key);
            message[32..64].copy_from_slice(&digest);
            message[64..72].copy_from_slice(&(len as u64).to_le_bytes());
            message[72..72 + len].copy_from_slice(id);
            let expected: [u8; 32] = Sha256::digest(&message[..72 + len]).into();
            let hashed = Hashed::new(&key, &digest, id);
            assert_eq!(hashed.fingerprint(), expected[..16], "len {len}");
            let word = u64::from_be_bytes(expected[16..24].try_into().unwrap());
            assert_eq!(hashed.set(1 << 16), (word >> 48) as usize, "len {len}");
        }
    }

    #[test]
    fn the_set_is_in_range_and_depends_on_key_digest_and_client() {
        let set = |key: u8, digest: u8, client: &[u8], n| {
            Hashed::new(&[key; 32], &[digest; 32], client).set(n)
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
