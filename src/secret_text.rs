//! [`SecretText`]: the inline buffer behind every value that holds secret
//! text (a verifier, a plain challenge, a `state`, a stored flow).

use core::convert::Infallible;

use zeroize::Zeroize;

use crate::alphabet::{self, B64_32_LEN};

/// Up to `N` bytes of UTF-8 text in an inline buffer, zeroized on drop.
///
/// The one place that holds the invariant and the `&str` accessor that
/// relies on it. `N` is at most 65535 (a compile-time check in
/// [`EMPTY`](Self::EMPTY)'s users), so the length is two octets (a bound
/// flow's stored text is longer than 255).
#[derive(Clone)]
pub(crate) struct SecretText<const N: usize> {
    // Invariant: bytes[..len] is UTF-8 text; bytes[len..] is zero; len <= N.
    bytes: [u8; N],
    len: u16,
}

impl<const N: usize> SecretText<N> {
    /// The empty text.
    pub(crate) const EMPTY: Self = {
        assert!(N <= u16::MAX as usize, "SecretText<N> needs N <= 65535");
        Self {
            bytes: [0; N],
            len: 0,
        }
    };

    /// A copy of `s`, or `None` when it is longer than `N` bytes.
    pub(crate) fn copy_of(s: &str) -> Option<Self> {
        let mut text = Self::EMPTY;
        let dst = text.bytes.get_mut(..s.len())?;
        dst.copy_from_slice(s.as_bytes());
        text.len = u16::try_from(s.len()).ok()?;
        Some(text)
    }

    /// The first `len` bytes of the buffer as `fill` writes them, or
    /// `fill`'s error (the buffer is zeroized then). The text is empty if
    /// `len` exceeds `N`. `fill` must write ASCII (both callers write an
    /// ASCII alphabet); if it did not, [`as_str`](Self::as_str) would give
    /// the empty string, never invalid UTF-8.
    pub(crate) fn filled<E>(
        len: usize,
        fill: impl FnOnce(&mut [u8]) -> Result<(), E>,
    ) -> Result<Self, E> {
        let mut text = Self::EMPTY;
        let Some(dst) = text.bytes.get_mut(..len) else {
            return Ok(text);
        };
        match (fill(dst), u16::try_from(len)) {
            (Ok(()), Ok(len)) => text.len = len,
            (filled, _) => {
                dst.zeroize();
                filled?;
            }
        }
        Ok(text)
    }

    /// The unpadded base64url of 32 octets (43 characters): a verifier from
    /// random octets, an S256 challenge, a `state`. Empty if `N` < 43.
    pub(crate) fn base64url_32(octets: &[u8; 32]) -> Self {
        let Ok(text) = Self::filled(B64_32_LEN, |dst| {
            alphabet::encode_32(octets, dst);
            Ok::<(), Infallible>(())
        });
        text
    }

    /// Appends `s` if it is ASCII and fits; returns whether it did.
    pub(crate) fn push(&mut self, s: &[u8]) -> bool {
        let at = usize::from(self.len);
        let end = at.saturating_add(s.len());
        let (Some(dst), Ok(len)) = (self.bytes.get_mut(at..end), u16::try_from(end)) else {
            return false;
        };
        if !s.is_ascii() {
            return false;
        }
        dst.copy_from_slice(s);
        self.len = len;
        true
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        // The invariant makes this UTF-8; the fallback is unreachable.
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The text's bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl<const N: usize> SecretText<N> {
    /// Zeroizes the text in place; it is empty afterwards. `Drop` calls it;
    /// an owner that holds the text in a `ManuallyDrop` (a challenge,
    /// whose S256 value is public) calls it only when the text is secret.
    pub(crate) fn wipe(&mut self) {
        // The whole buffer: a write of known size, a few vector stores,
        // costs less than a call for `..len`. As a slice: one bulk write
        // (an array is zeroized octet by octet).
        self.bytes.as_mut_slice().zeroize();
        self.len.zeroize();
    }
}

impl<const N: usize> Drop for SecretText<N> {
    fn drop(&mut self) {
        self.wipe();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_pushes_and_refuses_what_does_not_fit() {
        let text = SecretText::<4>::copy_of("abcd").unwrap();
        assert_eq!(text.as_str(), "abcd");
        assert!(SecretText::<4>::copy_of("abcde").is_none());
        assert_eq!(SecretText::<8>::copy_of("é").unwrap().as_str(), "é");

        let mut text = SecretText::<5>::EMPTY;
        assert_eq!(text.as_str(), "");
        assert!(text.push(b"ab"));
        assert!(!text.push(b"\xff"));
        assert!(!text.push(b"cdef"));
        assert!(text.push(b"cde"));
        assert_eq!(text.as_str(), "abcde");
    }

    #[test]
    fn base64url_32_is_rfc_7636_appendix_b() {
        let octets = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let text = SecretText::<43>::base64url_32(&octets);
        assert_eq!(text.as_str(), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(SecretText::<42>::base64url_32(&octets).as_str(), "");
    }

    #[test]
    fn filled_keeps_what_fits_and_passes_errors_on() {
        let ok = |d: &mut [u8]| {
            d.copy_from_slice(&b"xyz"[..d.len()]);
            Ok::<(), ()>(())
        };
        assert_eq!(SecretText::<5>::filled(3, ok).unwrap().as_str(), "xyz");
        assert_eq!(SecretText::<5>::filled(2, ok).unwrap().as_str(), "xy");
        assert!(SecretText::<2>::filled(3, ok).unwrap().as_str().is_empty());
        // Not ASCII (a caller's bug): never invalid UTF-8 out of `as_str`.
        let not_utf8 = |d: &mut [u8]| {
            d.copy_from_slice(&[b'x', 0xc3, 0x28]);
            Ok::<(), ()>(())
        };
        assert_eq!(SecretText::<5>::filled(3, not_utf8).unwrap().as_str(), "");
        let failed = |d: &mut [u8]| {
            d.fill(b'x');
            Err::<(), u8>(7)
        };
        assert_eq!(SecretText::<5>::filled(3, failed).err(), Some(7));
    }
}
