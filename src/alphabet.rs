//! Character classes and base64url without lookup tables.
//!
//! The encoders and decoders work on secret data (a verifier's random octets,
//! a stored challenge), so they use arithmetic on masks instead of
//! secret-indexed tables or branches: their running time and memory accesses
//! do not depend on the values they convert (the approach of `base64ct`).

use zeroize::Zeroize;

use crate::Error;

/// Shortest `code_verifier` (RFC 7636 §4.1).
pub(crate) const MIN_LEN: usize = 43;
/// Longest `code_verifier` (RFC 7636 §4.1).
pub(crate) const MAX_LEN: usize = 128;
/// Length of an S256 `code_challenge`: 32 octets in unpadded base64url.
pub(crate) const S256_LEN: usize = 43;

/// Whether `b` is in `unreserved` (RFC 3986 §2.3): `[A-Za-z0-9-._~]`.
///
/// Comparisons only, no table and no shift by the byte's value, so that
/// the compiler checks 16 bytes at a time with SIMD compares.
#[inline(always)]
const fn is_unreserved(b: u8) -> bool {
    let letter = is_letter(b);
    // '-' '.' '/' '0'..='9' are contiguous; '/' is not unreserved.
    let digit_dash_dot = (b.wrapping_sub(b'-') < 13) & (b != b'/');
    letter | digit_dash_dot | (b == b'_') | (b == b'~')
}

/// Whether `b` is an ASCII letter.
#[inline(always)]
const fn is_letter(b: u8) -> bool {
    // `| 0x20` maps 'A'..='Z' onto 'a'..='z' and nothing else onto them.
    (b | 0x20).wrapping_sub(b'a') < 26
}

/// Whether `b` is in the base64url alphabet (RFC 4648 §5): `[A-Za-z0-9-_]`.
#[inline(always)]
const fn is_base64url(b: u8) -> bool {
    let letter = is_letter(b);
    let digit = b.wrapping_sub(b'0') < 10;
    letter | digit | (b == b'-') | (b == b'_')
}

/// Bytes checked per step: one SSE2 register.
const LANES: usize = 16;

/// Whether every byte of `chunk` is in the class, without an early exit.
#[inline(always)]
fn all_in_chunk(chunk: &[u8], class: impl Fn(u8) -> bool) -> bool {
    chunk.iter().fold(true, |ok, &b| ok & class(b))
}

/// ANDs each lane of `acc` with the class of the matching byte of `chunk`.
#[inline(always)]
fn and_lanes(acc: &mut [bool; LANES], chunk: &[u8; LANES], class: impl Fn(u8) -> bool) {
    for (ok, &b) in acc.iter_mut().zip(chunk) {
        *ok &= class(b);
    }
}

/// Whether every byte of `bytes` is in the class.
///
/// One flag per lane, ANDed over whole 16-byte chunks and then over the last
/// 16 bytes again (overlapping) for a ragged end: every step is one SIMD
/// step (the compiler keeps `acc` in a register), and the lanes are folded
/// once at the end. Verifiers and challenges are at least 43 bytes long. No
/// early exit: the time depends on the length alone.
#[inline(always)]
fn all_in(bytes: &[u8], class: impl Fn(u8) -> bool + Copy) -> bool {
    let mut acc = [true; LANES];
    let chunks = bytes.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        if let Ok(chunk) = <&[u8; LANES]>::try_from(chunk) {
            and_lanes(&mut acc, chunk, class);
        }
    }
    let mut ok = true;
    if !rest.is_empty() {
        match bytes.last_chunk::<LANES>() {
            Some(tail) => and_lanes(&mut acc, tail, class),
            // Shorter than one step: never for a verifier or a challenge.
            None => ok = all_in_chunk(rest, class),
        }
    }
    // One compare of all lanes (a fold would be a long shuffle sequence).
    ok & (acc == [true; LANES])
}

/// First byte of `bytes` outside the class, or `None` when all are in it.
///
/// The fast path folds the whole input into one flag without an early exit
/// per byte, so valid inputs (the common case) run at a fraction of a cycle
/// per byte; only an invalid input pays for finding the position.
#[inline(always)]
fn first_outside(bytes: &[u8], class: impl Fn(u8) -> bool + Copy) -> Option<usize> {
    if all_in(bytes, class) {
        None
    } else {
        position_outside(bytes, class)
    }
}

/// The slow path of [`first_outside`], kept out of line.
#[cold]
#[inline(never)]
fn position_outside(bytes: &[u8], class: impl Fn(u8) -> bool) -> Option<usize> {
    bytes.iter().position(|&b| !class(b))
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
    match first_non_unreserved(bytes) {
        None => Ok(()),
        Some(position) => Err(Error::VerifierCharset { position }),
    }
}

/// Position of the first byte outside `[A-Za-z0-9-._~]`.
///
/// Out of line: `verify` runs faster around a short loop than around the
/// check unrolled into it.
#[inline(never)]
pub(crate) fn first_non_unreserved(bytes: &[u8]) -> Option<usize> {
    first_outside(bytes, is_unreserved)
}

/// Position of the first byte outside the base64url alphabet.
pub(crate) fn first_non_base64url(bytes: &[u8]) -> Option<usize> {
    first_outside(bytes, is_base64url)
}

/// All ones when `a > b`, else zero; both in 0..=127.
///
/// Byte-wide so that the character mappings below run 16 lanes at a time:
/// `b - a` fits an `i8`, and its sign, spread by the shift, is the mask.
#[inline(always)]
const fn gt_mask(a: u8, b: u8) -> u8 {
    ((b.wrapping_sub(a) as i8) >> 7) as u8
}

/// The base64url character for a 6-bit value, without a table.
#[inline(always)]
const fn encode_6bits(v: u8) -> u8 {
    // 0..=25 'A'..; 26..=51 'a'..; 52..=61 '0'..; 62 '-'; 63 '_'
    let mut diff = b'A';
    diff = diff.wrapping_add(gt_mask(v, 25) & 6);
    diff = diff.wrapping_sub(gt_mask(v, 51) & 75);
    diff = diff.wrapping_sub(gt_mask(v, 61) & 13);
    diff = diff.wrapping_add(gt_mask(v, 62) & 49);
    v.wrapping_add(diff)
}

/// The `index`-th of the 66 unreserved characters (`A-Z a-z 0-9 - . _ ~`),
/// without a table; `index` must be below 66.
#[inline(always)]
pub(crate) const fn unreserved_char(index: u8) -> u8 {
    let mut diff = b'A';
    diff = diff.wrapping_add(gt_mask(index, 25) & 6);
    diff = diff.wrapping_sub(gt_mask(index, 51) & 75);
    diff = diff.wrapping_sub(gt_mask(index, 61) & 13);
    // 62 '-' and 63 '.' share an offset; 64 '_'; 65 '~'
    diff = diff.wrapping_add(gt_mask(index, 63) & 48);
    diff = diff.wrapping_add(gt_mask(index, 64) & 30);
    index.wrapping_add(diff)
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
    v = v.wrapping_add(
        in_range(c, b'A', b'Z') & c.wrapping_sub(64), /* 'A' - 1 */
    );
    v = v.wrapping_add(
        in_range(c, b'a', b'z') & c.wrapping_sub(70), /* 'a' - 27 */
    );
    v = v.wrapping_add(
        in_range(c, b'0', b'9') & c.wrapping_add(5), /* 53 - '0' */
    );
    v = v.wrapping_add(in_range(c, b'-', b'-') & 63);
    v = v.wrapping_add(in_range(c, b'_', b'_') & 64);
    v
}

/// Unpadded base64url of 32 octets: 43 characters, the last one carrying
/// 4 bits and two zero bits (RFC 4648 §5, RFC 7636 Appendix A).
pub(crate) fn encode_32(octets: &[u8; 32]) -> [u8; S256_LEN] {
    let mut out = [0u8; S256_LEN];
    encode_32_into(octets, &mut out);
    out
}

/// [`encode_32`] into `out`: a verifier is encoded in place, with no copy
/// left behind.
///
/// The octets are split into sextets first, then all 48 lanes (43 used)
/// are mapped to characters in three 16-byte SIMD steps. The scratch buffer
/// is zeroized.
pub(crate) fn encode_32_into(octets: &[u8; 32], out: &mut [u8; S256_LEN]) {
    let mut lanes = [0u8; 48];
    let (full, tail) = octets.split_at(30);
    for (src, dst) in full.chunks_exact(3).zip(lanes.chunks_exact_mut(4)) {
        if let ([a, b, c], [w, x, y, z]) = (src, dst) {
            *w = a >> 2;
            *x = ((a & 0x03) << 4) | (b >> 4);
            *y = ((b & 0x0f) << 2) | (c >> 6);
            *z = c & 0x3f;
        }
    }
    if let ([a, b], Some([w, x, y])) = (tail, lanes.get_mut(40..S256_LEN)) {
        *w = a >> 2;
        *x = ((a & 0x03) << 4) | (b >> 4);
        *y = (b & 0x0f) << 2;
    }
    for lane in &mut lanes {
        *lane = encode_6bits(*lane);
    }
    if let Some(chars) = lanes.first_chunk::<S256_LEN>() {
        *out = *chars;
    }
    lanes.as_mut_slice().zeroize();
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

#[cfg(test)]
mod tests {
    use super::*;

    const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    #[test]
    fn classes_match_the_rfc_alphabets_for_every_byte() {
        for b in 0..=u8::MAX {
            assert_eq!(
                is_unreserved(b),
                UNRESERVED.contains(&b),
                "unreserved {b:#04x}"
            );
            assert_eq!(
                is_base64url(b),
                BASE64URL.contains(&b),
                "base64url {b:#04x}"
            );
        }
    }

    #[test]
    fn character_mappings_match_the_alphabets() {
        for v in 0..64u8 {
            assert_eq!(encode_6bits(v), BASE64URL[usize::from(v)], "sextet {v}");
        }
        for i in 0..66u8 {
            assert_eq!(unreserved_char(i), UNRESERVED[i as usize], "index {i}");
        }
    }

    /// Plain table-driven base64url, the reference for `encode_32`.
    fn reference_encode(octets: &[u8; 32]) -> [u8; S256_LEN] {
        let mut bits = 0u32;
        let mut nbits = 0;
        let mut out = [0u8; S256_LEN];
        let mut n = 0;
        for &o in octets {
            bits = (bits << 8) | u32::from(o);
            nbits += 8;
            while nbits >= 6 {
                nbits -= 6;
                out[n] = BASE64URL[((bits >> nbits) & 63) as usize];
                n += 1;
            }
        }
        out[n] = BASE64URL[((bits << (6 - nbits)) & 63) as usize];
        assert_eq!(n + 1, S256_LEN);
        out
    }

    #[test]
    fn encode_32_matches_a_reference_and_decodes_back() {
        let mut octets = [0u8; 32];
        for seed in 0..=255u8 {
            for (i, o) in octets.iter_mut().enumerate() {
                *o = seed
                    .wrapping_mul(31)
                    .wrapping_add((i as u8).wrapping_mul(seed | 1))
                    ^ (i as u8);
            }
            let encoded = encode_32(&octets);
            assert_eq!(encoded, reference_encode(&octets), "seed {seed}");
            assert_eq!(decode_32(&encoded), Ok(octets), "seed {seed}");
        }
        assert_eq!(encode_32(&[0xff; 32]), reference_encode(&[0xff; 32]));
        assert_eq!(encode_32(&[0; 32]), reference_encode(&[0; 32]));
    }

    #[test]
    fn every_position_of_every_length_is_checked() {
        // A bad byte at each position of each length, including the bytes
        // only the overlapping tail step covers.
        for len in 1..=MAX_LEN {
            let mut bytes = [b'a'; MAX_LEN];
            let bytes = &mut bytes[..len];
            assert_eq!(first_non_unreserved(bytes), None);
            for pos in 0..len {
                for bad in [b'/', b'+', b'=', b' ', 0x80, 0xff, b'`', b'{'] {
                    bytes[pos] = bad;
                    assert_eq!(
                        first_non_unreserved(bytes),
                        Some(pos),
                        "len {len} pos {pos}"
                    );
                    assert_eq!(first_non_base64url(bytes), Some(pos), "len {len} pos {pos}");
                    bytes[pos] = b'a';
                }
            }
            bytes[len - 1] = b'.';
            assert_eq!(first_non_unreserved(bytes), None);
            assert_eq!(first_non_base64url(bytes), Some(len - 1));
        }
    }

    #[test]
    fn decode_32_rejects_a_character_outside_the_alphabet_by_itself() {
        // `CodeChallenge::parse` checks the alphabet first; the decoder must
        // not rely on that.
        let good = *b"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(decode_32(&good).is_ok());
        for pos in [0, 20, 41] {
            for bad in [b'.', b'~', b'+', b'/', b'=', 0x80] {
                let mut chars = good;
                chars[pos] = bad;
                assert_eq!(
                    decode_32(&chars),
                    Err(Error::ChallengeNonCanonical),
                    "{bad:#04x} at {pos}"
                );
            }
        }
    }
}
