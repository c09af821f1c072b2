//! The record at rest in a shared store: a compact, versioned, bounded
//! encoding (version 1), all lengths checked on the way in and out.
//!
//! ```text
//! 0x01                       version
//! u64 BE                     expires_at, Unix milliseconds
//! u8 method, u8 len, value   0 = no PKCE (len 0), 1 = plain, 2 = S256
//! u8 len, client id          1..=255 octets, UTF-8
//! u16 BE len, redirect URI   0..=2048 octets, UTF-8
//! u16 BE len, app data       0..=1024 octets
//! ```
//!
//! Nothing may follow. The challenge is re-parsed by
//! [`CodeChallenge::parse`] with its stored method, so a record that
//! decodes carries a valid challenge, and "none" decodes as none only from
//! its own tag, never from a missing or short value.
#![cfg_attr(not(any(feature = "redis", feature = "postgres")), allow(dead_code))]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proofkey::{ChallengeMethod, CodeChallenge};

use crate::record::{MAX_APP_DATA, MAX_CLIENT_ID, MAX_REDIRECT_URI};
use crate::{CodeRecord, Pkce, Redeemed};

const VERSION: u8 = 1;
/// The longest encoding: every field at its bound.
pub(crate) const MAX_ENCODED: usize =
    1 + 8 + 2 + 128 + 1 + MAX_CLIENT_ID + 2 + MAX_REDIRECT_URI + 2 + MAX_APP_DATA;

/// A stored value that is not a record of this version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Corrupt;

fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The encoding of `record` inserted now for `ttl`.
pub(crate) fn encode_for(record: &CodeRecord, ttl: Duration) -> Result<Vec<u8>, crate::StoreError> {
    let expires_at = SystemTime::now()
        .checked_add(ttl)
        .ok_or(crate::StoreError::BadTtl)?;
    Ok(encode(record, expires_at))
}

pub(crate) fn encode(record: &CodeRecord, expires_at: SystemTime) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + record.redirect_uri().len() + record.app_data().len());
    out.push(VERSION);
    out.extend_from_slice(&millis(expires_at).to_be_bytes());
    let (tag, value) = match record.pkce() {
        Pkce::Unbound => (0, ""),
        Pkce::Bound(c) if c.method() == ChallengeMethod::Plain => (1, c.as_str()),
        Pkce::Bound(c) => (2, c.as_str()),
    };
    // The lengths fit: CodeRecord's constructors and CodeChallenge bound them.
    out.push(tag);
    out.push(u8::try_from(value.len()).unwrap_or(0));
    out.extend_from_slice(value.as_bytes());
    out.push(u8::try_from(record.client_id().len()).unwrap_or(0));
    out.extend_from_slice(record.client_id().as_bytes());
    for field in [record.redirect_uri().as_bytes(), record.app_data()] {
        out.extend_from_slice(&u16::try_from(field.len()).unwrap_or(0).to_be_bytes());
        out.extend_from_slice(field);
    }
    out
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Corrupt> {
        let (head, rest) = self.0.split_at_checked(n).ok_or(Corrupt)?;
        self.0 = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, Corrupt> {
        Ok(self.take(1)?.first().copied().unwrap_or(0))
    }
    fn u16(&mut self) -> Result<usize, Corrupt> {
        let b = <[u8; 2]>::try_from(self.take(2)?).map_err(|_| Corrupt)?;
        Ok(usize::from(u16::from_be_bytes(b)))
    }
    fn text(&mut self, n: usize, max: usize) -> Result<&'a str, Corrupt> {
        if n > max {
            return Err(Corrupt);
        }
        std::str::from_utf8(self.take(n)?).map_err(|_| Corrupt)
    }
}

pub(crate) fn decode(bytes: &[u8]) -> Result<Redeemed, Corrupt> {
    if bytes.len() > MAX_ENCODED {
        return Err(Corrupt);
    }
    let mut r = Reader(bytes);
    if r.u8()? != VERSION {
        return Err(Corrupt);
    }
    let mut ms = [0; 8];
    ms.copy_from_slice(r.take(8)?);
    let expires_at = UNIX_EPOCH
        .checked_add(Duration::from_millis(u64::from_be_bytes(ms)))
        .ok_or(Corrupt)?;
    let tag = r.u8()?;
    let len = usize::from(r.u8()?);
    let value = r.text(len, 128)?;
    let pkce = match tag {
        0 if value.is_empty() => Pkce::Unbound,
        1 | 2 => {
            let method = if tag == 1 {
                ChallengeMethod::Plain
            } else {
                ChallengeMethod::S256
            };
            Pkce::Bound(CodeChallenge::parse(value, method).map_err(|_| Corrupt)?)
        }
        _ => return Err(Corrupt),
    };
    let len = usize::from(r.u8()?);
    let client_id = r.text(len, MAX_CLIENT_ID)?;
    let len = r.u16()?;
    let redirect_uri = r.text(len, MAX_REDIRECT_URI)?;
    let len = r.u16()?;
    let app_data = r.take(len)?.to_vec();
    if !r.0.is_empty() {
        return Err(Corrupt);
    }
    let record = CodeRecord::new(client_id, redirect_uri, pkce)
        .and_then(|r| r.with_app_data(app_data))
        .map_err(|_| Corrupt)?;
    Ok(Redeemed { record, expires_at })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records() -> Vec<CodeRecord> {
        let v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let s256 = CodeChallenge::parse(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ChallengeMethod::S256,
        )
        .unwrap();
        let plain = CodeChallenge::parse(v, ChallengeMethod::Plain).unwrap();
        let long = CodeChallenge::parse(&"a".repeat(128), ChallengeMethod::Plain).unwrap();
        vec![
            CodeRecord::new("spa", "http://127.0.0.1:1/cb", Pkce::Bound(s256)).unwrap(),
            CodeRecord::new("spa", "", Pkce::Bound(plain)).unwrap(),
            CodeRecord::new("c", "u", Pkce::Unbound).unwrap(),
            CodeRecord::new("x".repeat(255), "é".repeat(1024), Pkce::Bound(long))
                .unwrap()
                .with_app_data(vec![0xff; 1024])
                .unwrap(),
        ]
    }

    #[test]
    fn round_trips_exactly_and_the_largest_fits_the_bound() {
        let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        for record in records() {
            let bytes = encode(&record, at);
            assert!(bytes.len() <= MAX_ENCODED);
            let back = decode(&bytes).unwrap();
            assert_eq!(back.record, record);
            assert_eq!(back.record.pkce(), record.pkce());
            assert_eq!(back.expires_at, at);
        }
        let largest = encode(records().last().unwrap(), at);
        assert_eq!(largest.len(), MAX_ENCODED);
    }

    #[test]
    fn every_truncation_extension_and_bad_tag_is_refused() {
        let at = UNIX_EPOCH + Duration::from_secs(5);
        for record in records() {
            let bytes = encode(&record, at);
            for n in 0..bytes.len() {
                assert_eq!(decode(&bytes[..n]), Err(Corrupt), "truncated at {n}");
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert_eq!(decode(&longer), Err(Corrupt));
            let mut version = bytes.clone();
            version[0] = 2;
            assert_eq!(decode(&version), Err(Corrupt));
            let mut tag = bytes.clone();
            tag[9] = 3;
            assert_eq!(decode(&tag), Err(Corrupt));
        }
        // "none" with a value, or a method with an invalid value, is corrupt.
        let mut bytes = encode(&records()[0], at);
        bytes[9] = 0;
        assert_eq!(decode(&bytes), Err(Corrupt));
        let mut bytes = encode(&records()[2], at);
        bytes[9] = 2;
        assert_eq!(decode(&bytes), Err(Corrupt));
    }
}
