//! Values shared by the test files (each includes this with
//! `#[path = "support/vectors.rs"] mod vectors;`).
#![allow(dead_code)] // each test file uses a different part

/// RFC 7636 Appendix B: the 32 random octets...
pub(crate) const RFC_OCTETS: [u8; 32] = [
    116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77,
    105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
];
/// ...their base64url, the `code_verifier`...
pub(crate) const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// ...and its S256 `code_challenge`.
pub(crate) const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// RFC 3986 §2.3 `unreserved`: the verifier alphabet, in the order of
/// `from_rng_with_len`'s 66 characters.
pub(crate) const UNRESERVED: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/// A valid verifier of `len` characters that uses the whole alphabet.
pub(crate) fn verifier_of_len(len: usize) -> String {
    UNRESERVED
        .iter()
        .cycle()
        .take(len)
        .map(|&b| b as char)
        .collect()
}

/// 256 independent S256 pairs `(code_verifier, code_challenge)`, computed
/// with Python's hashlib by `tests/data/s256.py` (which also re-checks them:
/// `python3 tests/data/s256.py --check`). Compiled in, so the tests read no
/// file at run time.
pub(crate) fn s256_vectors() -> impl Iterator<Item = (usize, &'static str, &'static str)> {
    include_str!("../data/s256.tsv")
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with('#') && !line.trim().is_empty())
        .map(|(n, line)| {
            let (v, c) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("tests/data/s256.tsv line {}: no tab", n + 1));
            (n + 1, v, c)
        })
}

/// RFC 4648 §4, Table 1.
pub(crate) const STANDARD: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/// RFC 4648 §5, Table 2.
pub(crate) const URL: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Reference base64: 24 bits at a time, then the 8 or 16 bits left over.
pub(crate) fn base64(octets: &[u8], table: &[u8; 64], pad: bool) -> String {
    let mut out = String::new();
    for chunk in octets.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        let chars = chunk.len() + 1;
        for i in 0..4 {
            if i < chars {
                out.push(table[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}
