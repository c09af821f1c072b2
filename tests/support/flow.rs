//! Helpers shared by the `ClientFlow` test files (each includes this with
//! `#[path = "support/flow.rs"] mod flow;`): independent base64url and
//! S256, and a started flow as a client keeps it.
#![allow(dead_code)] // each test file uses a different part

use proofkey::ClientFlow;
use rand::rand_core::SeedableRng;
use rand::rngs::ChaCha20Rng;
use sha2::{Digest, Sha256};

pub(crate) const NOW: u64 = 1_700_000_000;

/// RFC 4648 §5 base64url without padding, written out for the tests.
pub(crate) fn base64url(octets: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = String::new();
    for &o in octets {
        bits = (bits << 8) | u32::from(o);
        n += 8;
        while n >= 6 {
            n -= 6;
            out.push(ALPHABET[((bits >> n) & 63) as usize] as char);
        }
    }
    if n > 0 {
        out.push(ALPHABET[((bits << (6 - n)) & 63) as usize] as char);
    }
    out
}

pub(crate) fn s256(verifier: &str) -> String {
    base64url(&Sha256::digest(verifier.as_bytes()))
}

pub(crate) fn is_base64url(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(crate) fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

/// A flow, its stored text and its state, as a client keeps them.
pub(crate) fn started(rng: &mut ChaCha20Rng, now: u64) -> (ClientFlow, String, String) {
    let flow = ClientFlow::from_rng(rng, now).unwrap();
    let stored = flow.to_stored().secret().to_owned();
    let state = flow.state().to_owned();
    (flow, stored, state)
}
