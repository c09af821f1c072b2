//! SHA-256 of a verifier or a plain challenge, padded on the stack and
//! compressed in one call, with the padded copy wiped afterwards.

use sha2::{Digest, Sha256};
use zeroize::Zeroize;

/// Initial hash value (FIPS 180-4 §5.3.3): `sha256` drives `sha2`'s
/// compression function itself.
const H0: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// SHA-256 of a message of at most 128 octets (a verifier or a
/// plain challenge): at most three blocks once padded.
///
/// The same function as `Sha256::digest`, with the padding (FIPS 180-4
/// §5.1.1) laid out here, on the stack, so that every block goes to the
/// compression function (SHA-NI where the CPU has it, detected at run time
/// by `sha2`) in one call. `Sha256::digest` buffers the input and compresses
/// the final block in a second call, and at 128 octets that overhead costs
/// more than the whole alphabet check. Only the message's length decides
/// which octets are written.
///
/// The padded copy of the message (a verifier, or a plain challenge) is
/// zeroized before returning. What the compression function itself leaves
/// in registers or on its own stack frame is out of reach: with SHA-NI a
/// release build keeps the message in vector registers, a debug build
/// spills it to the stack 16 octets at a time. A longer message (none reaches here)
/// goes to `Sha256::digest`, whose buffer is not zeroized.
#[inline]
pub(crate) fn sha256(message: &[u8]) -> [u8; 32] {
    let mut blocks = [[0u8; 64]; 3];
    let Some(padded) = pad(&mut blocks, message) else {
        return Sha256::digest(message).into();
    };
    let mut state = H0;
    sha2::block_api::compress256(&mut state, padded);
    // As a slice: one bulk write (an array is zeroized octet by octet).
    blocks.as_flattened_mut().zeroize();
    big_endian(&state)
}

/// The first `N` octets of a SHA-256 state, big-endian (FIPS 180-4 §6.2.2:
/// the digest is the state words in order).
fn big_endian<const N: usize>(state: &[u32; 8]) -> [u8; N] {
    let mut out = [0u8; N];
    for (dst, word) in out.chunks_exact_mut(4).zip(state) {
        dst.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// Writes `message`, the `0x80` octet and the message's length in bits
/// into `blocks`; returns the blocks used, or `None` if it does not fit.
#[inline(always)]
fn pad<'a>(blocks: &'a mut [[u8; 64]; 3], message: &[u8]) -> Option<&'a [[u8; 64]]> {
    let len = message.len();
    // The message, one octet 0x80, and eight octets of length, rounded up.
    let used = len.checked_add(1 + 8 + 63)? / 64;
    let end = used.checked_mul(64)?;
    let bits = u64::try_from(len).ok()?.checked_mul(8)?;
    let octets = blocks.as_flattened_mut();
    match message.last_chunk::<16>() {
        // Whole 16-octet lanes, then the last 16 octets again (overlapping):
        // fixed-size moves, no call to `memcpy`.
        Some(last) => {
            for (dst, src) in octets.chunks_exact_mut(16).zip(message.chunks_exact(16)) {
                dst.copy_from_slice(src);
            }
            octets
                .get_mut(len.checked_sub(16)?..len)?
                .copy_from_slice(last);
        }
        None => octets.get_mut(..len)?.copy_from_slice(message),
    }
    *octets.get_mut(len)? = 0x80;
    octets
        .get_mut(end.checked_sub(8)?..end)?
        .copy_from_slice(&bits.to_be_bytes());
    blocks.get(..used)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_sha2_at_every_length() {
        // Every padding case: one, two and three blocks, the lengths where
        // the 0x80 octet or the bit length spills into another block, and
        // longer messages that take the `Sha256::digest` fallback.
        let message: [u8; 300] = core::array::from_fn(|i| (i * 7 + 3) as u8);
        for len in 0..=message.len() {
            let expected: [u8; 32] = Sha256::digest(&message[..len]).into();
            assert_eq!(sha256(&message[..len]), expected, "len {len}");
        }
    }

    #[test]
    fn pad_uses_the_fewest_blocks_for_every_verifier_length() {
        // FIPS 180-4 §5.1.1: message, 0x80, zeros, 64-bit length. Up to 55
        // octets fit one block, up to 119 two, up to 183 three; longer ones
        // take the `Sha256::digest` fallback.
        let message = [b'a'; 200];
        for len in 0..=message.len() {
            let mut blocks = [[0u8; 64]; 3];
            let used = pad(&mut blocks, &message[..len]).map(<[_]>::len);
            let expected = match len {
                0..=55 => Some(1),
                56..=119 => Some(2),
                120..=183 => Some(3),
                _ => None,
            };
            assert_eq!(used, expected, "len {len}");
        }
    }
}
