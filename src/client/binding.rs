//! What a flow is bound to: the issuer its authorization request goes to
//! and, optionally, the resource (RFC 8707) its token is for.

use base64ct::{Base64UrlUnpadded, Encoding};

use super::FlowError;
use crate::secret_text::SecretText;

/// The longest issuer a bound [`ClientFlow`](crate::ClientFlow) holds, in
/// bytes. Issuers in use are far shorter (Entra ID's, with its tenant, is
/// 75).
pub const MAX_ISSUER_LEN: usize = 128;

/// The longest resource (RFC 8707) a bound [`ClientFlow`](crate::ClientFlow)
/// holds, in bytes.
pub const MAX_RESOURCE_LEN: usize = 128;

/// Unpadded base64url length of `n` octets (RFC 4648 §5): ⌈4n/3⌉.
pub(crate) const fn b64_len(n: usize) -> usize {
    // Used on the two 128-octet maxima only: no saturation.
    n.saturating_mul(4).div_ceil(3)
}

/// The issuer and the resource of a flow, each empty when absent. A flow
/// without an issuer is unbound (and then has no resource either).
#[derive(Clone)]
pub(crate) struct Binding {
    issuer: SecretText<MAX_ISSUER_LEN>,
    resource: SecretText<MAX_RESOURCE_LEN>,
}

/// 1 to `max` octets, each visible ASCII (`!` to `~`): an `https` URL as
/// RFC 8414 §2 and RFC 8707 §2 use them, compared octet for octet.
fn valid(text: &[u8], max: usize) -> bool {
    !text.is_empty() && text.len() <= max && text.iter().all(|b| matches!(b, b'!'..=b'~'))
}

impl Binding {
    /// No issuer, no resource.
    pub(crate) const UNBOUND: Self = Self {
        issuer: SecretText::EMPTY,
        resource: SecretText::EMPTY,
    };

    /// `issuer` and `resource`, checked: see [`valid`].
    pub(crate) fn new(issuer: &str, resource: Option<&str>) -> Result<Self, FlowError> {
        if !valid(issuer.as_bytes(), MAX_ISSUER_LEN) {
            return Err(FlowError::InvalidBinding);
        }
        let mut bound = Self::UNBOUND;
        bound.issuer = SecretText::copy_of(issuer).ok_or(FlowError::InvalidBinding)?;
        if let Some(resource) = resource {
            if !valid(resource.as_bytes(), MAX_RESOURCE_LEN) {
                return Err(FlowError::InvalidBinding);
            }
            bound.resource = SecretText::copy_of(resource).ok_or(FlowError::InvalidBinding)?;
        }
        Ok(bound)
    }

    /// The issuer, `None` for an unbound flow.
    pub(crate) fn issuer(&self) -> Option<&str> {
        Some(self.issuer.as_str()).filter(|s| !s.is_empty())
    }

    /// The resource, if the flow was bound to one.
    pub(crate) fn resource(&self) -> Option<&str> {
        Some(self.resource.as_str()).filter(|s| !s.is_empty())
    }

    /// Appends `<issuer>.<resource>`, each unpadded base64url (the
    /// resource empty when absent), so that the stored text keeps its
    /// alphabet and its `.` separators. Returns whether it fitted.
    pub(crate) fn encode_into<const N: usize>(&self, text: &mut SecretText<N>) -> bool {
        let mut buf = [0u8; b64_len(MAX_ISSUER_LEN)];
        let issuer = Base64UrlUnpadded::encode(self.issuer.as_bytes(), &mut buf);
        let wrote = issuer.is_ok_and(|s| text.push(s.as_bytes())) && text.push(b".");
        let resource = Base64UrlUnpadded::encode(self.resource.as_bytes(), &mut buf);
        wrote && resource.is_ok_and(|s| text.push(s.as_bytes()))
    }

    /// Reads what [`encode_into`](Self::encode_into) wrote; `None` unless
    /// both parts are canonical base64url of valid values (an empty
    /// resource part is no resource).
    pub(crate) fn parse(issuer: &[u8], resource: &[u8]) -> Option<Self> {
        let mut buf = [0u8; MAX_ISSUER_LEN];
        // base64ct refuses non-canonical encodings: one text per binding.
        let issuer = Base64UrlUnpadded::decode(issuer, &mut buf).ok()?;
        let issuer = core::str::from_utf8(issuer).ok()?;
        let mut bound = Self::new(issuer, None).ok()?;
        if !resource.is_empty() {
            let mut buf = [0u8; MAX_RESOURCE_LEN];
            let resource = Base64UrlUnpadded::decode(resource, &mut buf).ok()?;
            let resource = core::str::from_utf8(resource).ok()?;
            bound = Self::new(bound.issuer.as_str(), Some(resource)).ok()?;
        }
        Some(bound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_visible_ascii_within_bounds() {
        assert!(Binding::new("https://as.example", Some("https://rs.example/mcp")).is_ok());
        let long = "h".repeat(MAX_ISSUER_LEN);
        assert!(Binding::new(&long, Some(&long)).is_ok());
        let longer = "h".repeat(MAX_ISSUER_LEN + 1);
        for (issuer, resource) in [
            ("", None),
            (longer.as_str(), None),
            ("https://as.example", Some(longer.as_str())),
            ("https://as.example", Some("")),
            ("https://as .example", None),
            ("https://as.example\n", None),
            ("https://é.example", None),
        ] {
            assert_eq!(
                Binding::new(issuer, resource).err(),
                Some(FlowError::InvalidBinding),
                "{issuer:?} {resource:?}"
            );
        }
    }

    #[test]
    fn encoding_round_trips_and_is_canonical() {
        let bound = Binding::new("https://as.example/t", Some("https://rs.example")).unwrap();
        let mut text = SecretText::<400>::EMPTY;
        assert!(bound.encode_into(&mut text));
        let (issuer, resource) = text.as_str().split_once('.').unwrap();
        let back = Binding::parse(issuer.as_bytes(), resource.as_bytes()).unwrap();
        assert_eq!(back.issuer(), Some("https://as.example/t"));
        assert_eq!(back.resource(), Some("https://rs.example"));
        let none = Binding::parse(issuer.as_bytes(), b"").unwrap();
        assert_eq!(none.resource(), None);
        // The issuer's text ends in 'Q' (its two unused bits zero); 'R'
        // sets one of them: a non-canonical encoding, refused.
        assert!(Binding::parse(b"aHR0cHM6Ly9hcy5leGFtcGxlL3R", b"").is_none());
        assert!(Binding::parse(b"", b"").is_none());
        assert!(Binding::parse(b"aHR0cA=", b"").is_none());
        assert_eq!(Binding::UNBOUND.issuer(), None);
    }
}
