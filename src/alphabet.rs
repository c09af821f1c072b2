//! The one home of the RFC 7636 lengths, the character classes (without
//! lookup tables), base64url of 32 octets (via `base64ct`) and hex digits.
//!
//! The checks and mappings here work on secret data (a verifier, its random
//! octets, a plain challenge), so they use comparisons and arithmetic on
//! masks instead of secret-indexed tables or branches: their running time
//! and memory accesses do not depend on the values they look at. The
//! base64url codec is `base64ct`'s, constant-time in the same way.

use base64ct::{Base64UrlUnpadded, Encoding};

use crate::error::Error;

/// Shortest `code_verifier` (RFC 7636 §4.1).
pub(crate) const MIN_LEN: usize = 43;
/// Longest `code_verifier` (RFC 7636 §4.1).
pub(crate) const MAX_LEN: usize = 128;
/// 32 octets in unpadded base64url: an S256 `code_challenge`, a verifier
/// from 32 random octets (RFC 7636 §4.1), a `state`.
pub(crate) const B64_32_LEN: usize = 43;

/// RFC 7636 §4.1: a verifier has 43 to 128 characters.
pub(crate) const fn is_verifier_len(len: usize) -> bool {
    MIN_LEN <= len && len <= MAX_LEN
}

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
    if !is_verifier_len(len) {
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

/// Whether every byte of `bytes` is in the base64url alphabet, with no
/// early exit: the time depends on the length alone.
pub(crate) fn all_base64url(bytes: &[u8]) -> bool {
    all_in(bytes, is_base64url)
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

/// Unpadded base64url of 32 octets into the first 43 octets of `out`
/// (43 or more long), the last character carrying 4 bits and two zero bits
/// (RFC 4648 §5, RFC 7636 Appendix A).
pub(crate) fn encode_32(octets: &[u8; 32], out: &mut [u8]) {
    // 32 octets always take exactly 43 characters, and every caller gives
    // room for them: the length error `base64ct` reports for a short `out`
    // cannot occur.
    let _ = Base64UrlUnpadded::encode(octets, out);
}

/// Decodes 43 base64url characters into 32 octets, canonical encodings only.
///
/// # Errors
///
/// [`Error::ChallengeNonCanonical`] when a character is outside the alphabet
/// or the final character's two unused bits are not zero (RFC 4648 §3.5);
/// `base64ct` rejects both. The caller has already checked length and
/// alphabet, to report them precisely.
pub(crate) fn decode_32(chars: &[u8; B64_32_LEN]) -> Result<[u8; 32], Error> {
    let mut out = [0u8; 32];
    // 43 characters always decode to exactly 32 octets.
    match Base64UrlUnpadded::decode(chars, &mut out) {
        Ok(_) => Ok(out),
        Err(_) => Err(Error::ChallengeNonCanonical),
    }
}

/// Lowercase hex of `octets` into `out`, two digits an octet, as far as
/// `out` reaches; without branches or tables on the octets.
pub(crate) fn encode_hex(octets: &[u8], out: &mut [u8]) {
    for (pair, &octet) in out.chunks_exact_mut(2).zip(octets) {
        if let [hi, lo] = pair {
            *hi = hex_digit(octet >> 4);
            *lo = hex_digit(octet & 0x0f);
        }
    }
}

/// `0`..`9`, `a`..`f` for a nibble: 39 more above 9 (`'a' - '0' - 10`).
#[inline(always)]
const fn hex_digit(nibble: u8) -> u8 {
    nibble
        .wrapping_add(b'0')
        .wrapping_add(gt_mask(nibble, 9) & 39)
}

/// The value of one hex digit, either case: percent-decoding a request
/// (public or the client's own input, so branches are fine here).
pub(crate) const fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        // In range, so none of these can wrap.
        b'0'..=b'9' => Some(digit.wrapping_sub(b'0')),
        b'a'..=b'f' => Some(digit.wrapping_sub(b'a' - 10)),
        b'A'..=b'F' => Some(digit.wrapping_sub(b'A' - 10)),
        _ => None,
    }
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
    fn hex_digits_are_lowercase_hex() {
        let all: [u8; 16] = core::array::from_fn(|n| hex_digit(n as u8));
        assert_eq!(&all, b"0123456789abcdef");
        let mut out = [0u8; 6];
        encode_hex(&[0x01, 0xab, 0xf0], &mut out);
        assert_eq!(&out, b"01abf0");
        let mut short = [0u8; 3];
        encode_hex(&[0x12, 0x34], &mut short);
        assert_eq!(&short, b"12\0");
    }

    #[test]
    fn hex_values_are_every_hex_digit_in_either_case() {
        for b in 0..=u8::MAX {
            let expected = (b as char).to_digit(16).map(|d| d as u8);
            assert_eq!(hex_value(b), expected, "{b:#04x}");
        }
        // The encoder's digits read back as the nibbles they came from.
        for n in 0..16u8 {
            assert_eq!(hex_value(hex_digit(n)), Some(n));
        }
    }

    #[test]
    fn verifier_lengths_are_43_to_128() {
        for n in 0..300 {
            assert_eq!(is_verifier_len(n), (43..=128).contains(&n), "{n}");
        }
    }

    #[test]
    fn character_mapping_matches_the_alphabet() {
        for i in 0..66u8 {
            assert_eq!(unreserved_char(i), UNRESERVED[i as usize], "index {i}");
        }
    }

    /// Plain table-driven base64url, the reference for `encode_32`.
    fn reference_encode(octets: &[u8; 32]) -> [u8; B64_32_LEN] {
        let mut bits = 0u32;
        let mut nbits = 0;
        let mut out = [0u8; B64_32_LEN];
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
        assert_eq!(n + 1, B64_32_LEN);
        out
    }

    fn encode(octets: &[u8; 32]) -> [u8; B64_32_LEN] {
        let mut out = [0u8; B64_32_LEN];
        encode_32(octets, &mut out);
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
            let encoded = encode(&octets);
            assert_eq!(encoded, reference_encode(&octets), "seed {seed}");
            assert_eq!(decode_32(&encoded), Ok(octets), "seed {seed}");
        }
        assert_eq!(encode(&[0xff; 32]), reference_encode(&[0xff; 32]));
        assert_eq!(encode(&[0; 32]), reference_encode(&[0; 32]));
    }

    #[test]
    fn decode_32_accepts_only_a_last_character_with_zero_unused_bits() {
        // RFC 4648 §3.5: the last of 43 characters carries 4 bits; its two
        // low bits must be zero, so 16 of the 64 characters are canonical.
        let mut chars = *b"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        for (value, &c) in BASE64URL.iter().enumerate() {
            chars[B64_32_LEN - 1] = c;
            assert_eq!(decode_32(&chars).is_ok(), value % 4 == 0, "{}", c as char);
        }
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
