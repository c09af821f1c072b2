//! `StoredFlow`: a pending flow as text, to keep across the redirect.
//!
//! Format, version 1 for an unbound flow, version 2 for one bound to its
//! issuer (every part ASCII, nothing to escape anywhere):
//!
//! ```text
//! v1.<issued_at>.<state>.<check>.<verifier>
//! v2.<issued_at>.<state>.<issuer>.<resource>.<check>.<verifier>
//! ```
//!
//! - `issued_at`: seconds, decimal, 1 to 20 digits, no sign, no leading zero;
//! - `state`: 43 base64url characters;
//! - `issuer`, `resource` (version 2): unpadded base64url of the issuer and
//!   of the resource (empty when there is none), canonical only;
//! - `check`: 32 lowercase hex digits, the first 16 octets of SHA-256 over
//!   the text without `<check>.`; it turns any corruption of the text (the
//!   issuer and the resource included) into
//!   [`FlowError::Malformed`] rather than a flow with a wrong verifier. It
//!   is a checksum, not a MAC: whoever can write the storage can forge it.
//! - `verifier`: the `code_verifier`, RFC 7636 §4.1 syntax.

use core::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::FlowError;
use super::binding::{Binding, MAX_ISSUER_LEN, MAX_RESOURCE_LEN, b64_len};
use super::state::State;
use crate::alphabet::{self, B64_32_LEN, MAX_LEN};
use crate::secret_text::SecretText;
use crate::verifier::CodeVerifier;

const VERSION: &[u8] = b"v1.";
/// The version of a flow bound to its issuer.
const VERSION_BOUND: &[u8] = b"v2.";
/// `u64::MAX` has 20 decimal digits.
const MAX_DIGITS: usize = 20;
/// Octets of SHA-256 kept in the check, as hex.
const CHECK_OCTETS: usize = 16;
const CHECK_LEN: usize = 2 * CHECK_OCTETS;
/// The longest text of an unbound flow: 229.
pub(crate) const MAX_UNBOUND_LEN: usize =
    VERSION.len() + MAX_DIGITS + 1 + B64_32_LEN + 1 + CHECK_LEN + 1 + MAX_LEN;
/// The longest text [`StoredFlow`] holds or [`StoredFlow::parse`] accepts:
/// a bound flow's, 573.
pub(crate) const MAX_STORED_LEN: usize =
    MAX_UNBOUND_LEN + b64_len(MAX_ISSUER_LEN) + 1 + b64_len(MAX_RESOURCE_LEN) + 1;

/// A pending [`ClientFlow`](crate::ClientFlow) as text, from
/// [`ClientFlow::to_stored`](crate::ClientFlow::to_stored): keep it across
/// the redirect under the key of its `state`, give it back to
/// [`ClientFlow::resume`](crate::ClientFlow::resume).
///
/// The text is at most 229 characters of `[A-Za-z0-9._~-]` (573 for a flow
/// bound to its issuer and resource), so it can be
/// stored as it is in `sessionStorage`, a server session or a file. It
/// holds the `code_verifier`: it is a secret. Its `Debug` prints
/// `StoredFlow([REDACTED])`, it has no `Display` or `Clone`, and its buffer
/// is zeroized on drop; [`secret`](Self::secret) is the one way to read it.
///
/// # Example
///
/// ```
/// use proofkey::ClientFlow;
/// let mut rng = rand::rng();
///
/// let flow = ClientFlow::from_rng(&mut rng, 1_700_000_000)?;
/// let stored = flow.to_stored();
/// assert!(stored.secret().starts_with("v1.1700000000."));
/// assert_eq!(format!("{stored:?}"), "StoredFlow([REDACTED])");
/// # Ok::<(), proofkey::FlowError>(())
/// ```
pub struct StoredFlow {
    // Invariant: the format above.
    text: SecretText<MAX_STORED_LEN>,
}

impl StoredFlow {
    /// Writes `issued_at`, `state`, the binding if any, the check and `verifier`.
    pub(crate) fn encode(
        issued_at: u64,
        state: &State,
        binding: &Binding,
        verifier: &CodeVerifier,
    ) -> Self {
        // ASCII parts whose lengths add up to at most the capacity.
        let mut text = SecretText::EMPTY;
        let mut digits = [0u8; MAX_DIGITS];
        let bound = binding.issuer().is_some();
        text.push(if bound { VERSION_BOUND } else { VERSION });
        text.push(decimal(issued_at, &mut digits));
        text.push(b".");
        text.push(state.as_bytes());
        text.push(b".");
        if bound {
            binding.encode_into(&mut text);
            text.push(b".");
        }
        let check = check(text.as_bytes(), verifier.secret().as_bytes());
        text.push(&check);
        text.push(b".");
        text.push(verifier.secret().as_bytes());
        Self { text }
    }

    /// The text to store.
    ///
    /// ```
    /// let mut rng = rand::rng();
    /// let flow = proofkey::ClientFlow::from_rng(&mut rng, 1_700_000_000)?;
    /// let stored = flow.to_stored();
    /// let text: &str = stored.secret(); // sessionStorage.setItem(key, text)
    /// assert!(text.ends_with(flow.verifier().secret()));
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    ///
    /// # Security
    ///
    /// The text contains the `code_verifier`. Keep it only where the
    /// platform's storage recipe in [`ClientFlow`](crate::ClientFlow) says,
    /// never in a URL, a cookie, `localStorage` or a log, and delete it when
    /// the flow ends, whatever the outcome. Copies made from this `&str` are
    /// not zeroized when the `StoredFlow` is dropped.
    #[must_use]
    pub fn secret(&self) -> &str {
        self.text.as_str()
    }
}

/// The three fields of a stored flow's text.
pub(crate) struct Parsed {
    pub(crate) issued_at: u64,
    pub(crate) state: State,
    pub(crate) verifier: CodeVerifier,
    pub(crate) binding: Binding,
}

impl StoredFlow {
    /// Reads text written by [`StoredFlow::encode`], strictly: any other text,
    /// including any single changed character, is [`FlowError::Malformed`].
    pub(crate) fn parse(text: &str) -> Result<Parsed, FlowError> {
        let bytes = text.as_bytes();
        if bytes.len() > MAX_STORED_LEN {
            return Err(FlowError::Malformed);
        }
        let (bound, rest) = match (
            bytes.strip_prefix(VERSION),
            bytes.strip_prefix(VERSION_BOUND),
        ) {
            (Some(rest), _) => (false, rest),
            (None, Some(rest)) => (true, rest),
            (None, None) => return Err(FlowError::Malformed),
        };
        let dot = rest
            .iter()
            .position(|&b| b == b'.')
            .ok_or(FlowError::Malformed)?;
        let (digits, rest) = rest.split_at_checked(dot).ok_or(FlowError::Malformed)?;
        let issued_at = parse_decimal(digits).ok_or(FlowError::Malformed)?;
        let rest = rest.strip_prefix(b".").ok_or(FlowError::Malformed)?;
        let (state, rest) = rest
            .split_at_checked(B64_32_LEN)
            .ok_or(FlowError::Malformed)?;
        let state = State::parse(state).ok_or(FlowError::Malformed)?;
        let mut rest = rest.strip_prefix(b".").ok_or(FlowError::Malformed)?;
        let mut parts: [&[u8]; 2] = [b"", b""];
        if bound {
            // `<issuer>.<resource>.`: base64url has no `.`.
            for part in &mut parts {
                let dot = rest
                    .iter()
                    .position(|&b| b == b'.')
                    .ok_or(FlowError::Malformed)?;
                let (value, after) = rest.split_at_checked(dot).ok_or(FlowError::Malformed)?;
                *part = value;
                rest = after.strip_prefix(b".").ok_or(FlowError::Malformed)?;
            }
        }
        // The text before the check: `v1.<issued_at>.<state>.` or
        // `v2.<issued_at>.<state>.<issuer>.<resource>.` (`rest` is its tail).
        let covered = bytes.len().saturating_sub(rest.len());
        let (given, rest) = rest
            .split_at_checked(CHECK_LEN)
            .ok_or(FlowError::Malformed)?;
        let verifier = rest.strip_prefix(b".").ok_or(FlowError::Malformed)?;
        let head = bytes.get(..covered).ok_or(FlowError::Malformed)?;
        // Checked before the verifier is parsed, so that no error tells which
        // part of a corrupted text was wrong.
        let expected = check(head, verifier);
        if !bool::from(expected.as_slice().ct_eq(given)) {
            return Err(FlowError::Malformed);
        }
        let verifier = core::str::from_utf8(verifier).map_err(|_| FlowError::Malformed)?;
        let verifier = CodeVerifier::parse(verifier).map_err(|_| FlowError::Malformed)?;
        let [issuer, resource] = parts;
        let binding = match bound {
            true => Binding::parse(issuer, resource).ok_or(FlowError::Malformed)?,
            false => Binding::UNBOUND,
        };
        Ok(Parsed {
            issued_at,
            state,
            verifier,
            binding,
        })
    }
}

/// Lowercase hex of the first 16 octets of SHA-256(`head` ‖ `verifier`),
/// without branches or tables on the digest.
fn check(head: &[u8], verifier: &[u8]) -> [u8; CHECK_LEN] {
    let mut digest: [u8; 32] = Sha256::new()
        .chain_update(head)
        .chain_update(verifier)
        .finalize()
        .into();
    let mut out = [0u8; CHECK_LEN];
    alphabet::encode_hex(&digest, &mut out);
    digest.as_mut_slice().zeroize();
    out
}

/// `n` in decimal, the digits at the end of `buf`.
fn decimal(mut n: u64, buf: &mut [u8; MAX_DIGITS]) -> &[u8] {
    let mut start = MAX_DIGITS;
    for (i, d) in buf.iter_mut().enumerate().rev() {
        // `n % 10` is below 10, so `| b'0'` is `+ b'0'`.
        *d = b'0' | (n % 10) as u8;
        n /= 10;
        start = i;
        if n == 0 {
            break;
        }
    }
    buf.get(start..).unwrap_or_default()
}

/// A decimal `u64`: 1 to 20 ASCII digits, no leading zero but for `0`
/// itself, no overflow.
fn parse_decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > MAX_DIGITS {
        return None;
    }
    if digits.len() > 1 && digits.first() == Some(&b'0') {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &b| {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

// `SecretText` zeroizes the buffer when it drops.
impl ZeroizeOnDrop for StoredFlow {}

impl fmt::Debug for StoredFlow {
    /// Prints `StoredFlow([REDACTED])`.
    ///
    /// ```
    /// let mut rng = rand::rng();
    /// let stored = proofkey::ClientFlow::from_rng(&mut rng, 0)?.to_stored();
    /// assert_eq!(format!("{stored:?}"), "StoredFlow([REDACTED])");
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StoredFlow([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_round_trips_at_the_edges() {
        let cases: [(u64, &[u8]); 9] = [
            (0, b"0"),
            (1, b"1"),
            (9, b"9"),
            (10, b"10"),
            (99, b"99"),
            (100, b"100"),
            (1_700_000_000, b"1700000000"),
            (u64::MAX - 1, b"18446744073709551614"),
            (u64::MAX, b"18446744073709551615"),
        ];
        for (n, text) in cases {
            let mut buf = [0u8; MAX_DIGITS];
            assert_eq!(decimal(n, &mut buf), text);
            assert_eq!(parse_decimal(text), Some(n));
        }
    }

    #[test]
    fn decimal_parse_is_strict() {
        for bad in [
            &b""[..],
            b"00",
            b"01",
            b"+1",
            b"-1",
            b" 1",
            b"1 ",
            b"1a",
            b"18446744073709551616", // u64::MAX + 1
            b"99999999999999999999",
            b"100000000000000000000", // 21 digits
        ] {
            assert_eq!(parse_decimal(bad), None, "{:?}", core::str::from_utf8(bad));
        }
    }
}
