//! Character classes and base64url without lookup tables.
//!
//! The encoders and decoders work on secret data (a verifier's random octets,
//! a stored challenge), so they use arithmetic on masks instead of
//! secret-indexed tables or branches: their running time and memory accesses
//! do not depend on the values they convert (the approach of `base64ct`).

use crate::Error;

/// Shortest `code_verifier` (RFC 7636 §4.1).
pub(crate) const MIN_LEN: usize = 43;
/// Longest `code_verifier` (RFC 7636 §4.1).
pub(crate) const MAX_LEN: usize = 128;
/// Length of an S256 `code_challenge`: 32 octets in unpadded base64url.
pub(crate) const S256_LEN: usize = 43;

/// Bit `b` is set iff ASCII byte `b` is in `unreserved` (RFC 3986 §2.3).
const UNRESERVED: u128 = ascii_set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~");
/// Bit `b` is set iff ASCII byte `b` is in the base64url alphabet (RFC 4648 §5).
const BASE64URL: u128 = ascii_set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

const fn ascii_set(chars: &[u8]) -> u128 {
    let mut set = 0u128;
    let mut i = 0;
    while i < chars.len() {
        // Const evaluation: an out-of-range index would fail the build, not run.
        #[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
        {
            set |= 1u128 << chars[i];
            i += 1;
        }
    }
    set
}

#[inline(always)]
fn in_set(set: u128, b: u8) -> bool {
    // `b < 128` first keeps the shift in range; bytes >= 128 (UTF-8) are never in a set.
    b < 128 && (set >> (b & 127)) & 1 == 1
}

/// First byte of `bytes` outside `set`, or `None` when all are in it.
///
/// The fast path folds the whole input into one flag without an early exit
/// per byte, so valid inputs (the common case) run at a few cycles per byte.
#[inline(always)]
fn first_outside(set: u128, bytes: &[u8]) -> Option<usize> {
    let all_in = bytes.iter().fold(true, |ok, &b| ok & in_set(set, b));
    if all_in {
        None
    } else {
        bytes.iter().position(|&b| !in_set(set, b))
    }
}

/// RFC 7636 §4.1 `code-verifier = 43*128unreserved`.
///
/// Its running time depends only on the input's length and on whether (and
/// where) it has a byte outside the alphabet.
#[inline]
pub(crate) fn check_verifier(bytes: &[u8]) -> Result<(), Error> {
    let len = bytes.len();
    if !(MIN_LEN..=MAX_LEN).contains(&len) {
        return Err(Error::VerifierLength { len });
    }
    match first_outside(UNRESERVED, bytes) {
        None => Ok(()),
        Some(position) => Err(Error::VerifierCharset { position }),
    }
}

/// Position of the first byte outside `[A-Za-z0-9-._~]`.
pub(crate) fn first_non_unreserved(bytes: &[u8]) -> Option<usize> {
    first_outside(UNRESERVED, bytes)
}

/// Position of the first byte outside the base64url alphabet.
pub(crate) fn first_non_base64url(bytes: &[u8]) -> Option<usize> {
    first_outside(BASE64URL, bytes)
}

/// All ones when `a > b`, else zero; both in 0..=255.
#[inline(always)]
const fn gt_mask(a: i16, b: i16) -> i16 {
    b.wrapping_sub(a) >> 8
}

/// The base64url character for a 6-bit value, without a table.
#[inline(always)]
const fn encode_6bits(v: u8) -> u8 {
    let v = v as i16;
    // 0..=25 'A'..; 26..=51 'a'..; 52..=61 '0'..; 62 '-'; 63 '_'
    let mut diff: i16 = b'A' as i16;
    diff = diff.wrapping_add(gt_mask(v, 25) & 6);
    diff = diff.wrapping_sub(gt_mask(v, 51) & 75);
    diff = diff.wrapping_sub(gt_mask(v, 61) & 13);
    diff = diff.wrapping_add(gt_mask(v, 62) & 49);
    v.wrapping_add(diff) as u8
}

/// The `index`-th of the 66 unreserved characters (`A-Z a-z 0-9 - . _ ~`),
/// without a table; `index` must be below 66.
#[inline(always)]
pub(crate) const fn unreserved_char(index: u8) -> u8 {
    let v = index as i16;
    let mut diff: i16 = b'A' as i16;
    diff = diff.wrapping_add(gt_mask(v, 25) & 6);
    diff = diff.wrapping_sub(gt_mask(v, 51) & 75);
    diff = diff.wrapping_sub(gt_mask(v, 61) & 13);
    // 62 '-' and 63 '.' share an offset; 64 '_'; 65 '~'
    diff = diff.wrapping_add(gt_mask(v, 63) & 48);
    diff = diff.wrapping_add(gt_mask(v, 64) & 30);
    v.wrapping_add(diff) as u8
}

/// All ones when `lo <= c <= hi`, else zero; all in 0..=255.
#[inline(always)]
const fn in_range(c: i16, lo: u8, hi: u8) -> i16 {
    ((lo as i16).wrapping_sub(1).wrapping_sub(c) & c.wrapping_sub(hi as i16).wrapping_sub(1)) >> 8
}

/// The 6-bit value of a base64url character, or -1, without a table.
#[inline(always)]
const fn decode_6bits(c: u8) -> i16 {
    let c = c as i16;
    let mut v: i16 = -1;
    v = v.wrapping_add(in_range(c, b'A', b'Z') & c.wrapping_sub(64) /* 'A' - 1 */);
    v = v.wrapping_add(in_range(c, b'a', b'z') & c.wrapping_sub(70) /* 'a' - 27 */);
    v = v.wrapping_add(in_range(c, b'0', b'9') & c.wrapping_add(5) /* 53 - '0' */);
    v = v.wrapping_add(in_range(c, b'-', b'-') & 63);
    v = v.wrapping_add(in_range(c, b'_', b'_') & 64);
    v
}

/// Unpadded base64url of 32 octets: 43 characters, the last one carrying
/// 4 bits and two zero bits (RFC 4648 §5, RFC 7636 Appendix A).
pub(crate) fn encode_32(octets: &[u8; 32]) -> [u8; S256_LEN] {
    let mut out = [0u8; S256_LEN];
    let (full, tail) = octets.split_at(30);
    for (src, dst) in full.chunks_exact(3).zip(out.chunks_exact_mut(4)) {
        if let ([a, b, c], [w, x, y, z]) = (src, dst) {
            *w = encode_6bits(a >> 2);
            *x = encode_6bits(((a & 0x03) << 4) | (b >> 4));
            *y = encode_6bits(((b & 0x0f) << 2) | (c >> 6));
            *z = encode_6bits(c & 0x3f);
        }
    }
    if let ([a, b], [.., w, x, y]) = (tail, &mut out) {
        *w = encode_6bits(a >> 2);
        *x = encode_6bits(((a & 0x03) << 4) | (b >> 4));
        *y = encode_6bits((b & 0x0f) << 2);
    }
    out
}

/// Decodes 43 base64url characters into 32 octets.
///
/// # Errors
///
/// [`Error::ChallengeNonCanonical`] when the final character's two unused
/// bits are not zero. The caller has already checked length and alphabet.
pub(crate) fn decode_32(chars: &[u8; S256_LEN]) -> Result<[u8; 32], Error> {
    let mut out = [0u8; 32];
    let mut invalid: i16 = 0;
    let mut sextet = |c: u8| {
        let v = decode_6bits(c);
        invalid |= v;
        (v & 0x3f) as u8
    };
    let (full, tail) = chars.split_at(40);
    for (src, dst) in full.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
        if let ([w, x, y, z], [a, b, c]) = (src, dst) {
            let (w, x, y, z) = (sextet(*w), sextet(*x), sextet(*y), sextet(*z));
            *a = (w << 2) | (x >> 4);
            *b = (x << 4) | (y >> 2);
            *c = (y << 6) | z;
        }
    }
    let mut last = 0u8;
    if let ([w, x, y], [.., a, b]) = (tail, &mut out) {
        let (w, x, y) = (sextet(*w), sextet(*x), sextet(*y));
        *a = (w << 2) | (x >> 4);
        *b = (x << 4) | (y >> 2);
        last = y;
    }
    // A value of -1 anywhere sets the sign bit; RFC 4648 §3.5: unused bits must be zero.
    if invalid < 0 || last & 0x03 != 0 {
        return Err(Error::ChallengeNonCanonical);
    }
    Ok(out)
}
