//! The text a `ClientFlow` is kept as across the redirect: its documented
//! format, the round trip, and strict parsing (every single-character
//! change, every non-canonical field) with no panic; zeroized on drop.
#![allow(unsafe_code)] // to look at a value's memory after its destructor ran

use std::mem::size_of;

use proofkey::{ClientFlow, FlowError, StoredFlow};
use sha2::{Digest, Sha256};

#[path = "support/flow.rs"]
mod flow;
use flow::{NOW, is_base64url, rng, s256, started};

#[test]
fn stored_text_has_the_documented_format_and_round_trips() {
    for now in [0, 1, NOW, u64::MAX - 60, u64::MAX] {
        let (flow, stored, state) = started(&mut rng(4), now);
        assert!(stored.len() <= 229);
        assert!(is_base64url(&stored.replace('.', "")), "{stored}");
        let fields: Vec<&str> = stored.splitn(5, '.').collect();
        assert_eq!(fields[0], "v1");
        assert_eq!(fields[1], now.to_string());
        assert_eq!(fields[2], state);
        assert_eq!(fields[4], flow.verifier().secret());
        // The check: SHA-256 over the text without `<check>.`, 16 octets in hex.
        let head = format!("v1.{now}.{state}.");
        let digest = Sha256::new()
            .chain_update(head.as_bytes())
            .chain_update(fields[4].as_bytes())
            .finalize();
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(fields[3], hex);

        let back = ClientFlow::resume(&stored, &state, now).unwrap();
        assert_eq!(back.state(), state);
        assert_eq!(back.verifier().secret(), flow.verifier().secret());
        assert_eq!(back.challenge(), flow.challenge());
        assert_eq!(back.issued_at(), now);
        assert_eq!(
            back.to_stored().secret(),
            stored,
            "re-encoding gives the same text"
        );
    }
}

#[test]
fn every_single_character_change_is_refused() {
    let (_, stored, state) = started(&mut rng(5), NOW);
    let bytes = stored.as_bytes();
    let resume = |text: &str| ClientFlow::resume(text, &state, NOW);
    let mut tried = 0;
    for i in 0..bytes.len() {
        // Every other printable ASCII character, and two non-ASCII ones.
        let mut replacements: Vec<String> = (0x20u8..0x7f)
            .filter(|&b| b != bytes[i])
            .map(|b| (b as char).to_string())
            .collect();
        replacements.extend(["é".to_owned(), "\0".to_owned()]);
        for r in &replacements {
            let tampered = format!("{}{}{}", &stored[..i], r, &stored[i + 1..]);
            assert!(
                resume(&tampered).is_err(),
                "changed byte {i} to {r:?} and was accepted"
            );
            tried += 1;
        }
        let deleted = format!("{}{}", &stored[..i], &stored[i + 1..]);
        assert!(resume(&deleted).is_err(), "deleted byte {i}");
        let inserted = format!("{}A{}", &stored[..i], &stored[i..]);
        assert!(resume(&inserted).is_err(), "inserted before byte {i}");
        assert!(resume(&stored[..i]).is_err(), "prefix of {i} bytes");
    }
    assert!(resume(&format!("{stored}A")).is_err());
    assert!(resume(&format!("{stored}\n")).is_err());
    assert!(resume(&format!(" {stored}")).is_err());
    assert!(tried > 10_000);
    assert!(
        resume(&stored).is_ok(),
        "control: the untouched text is accepted"
    );
}

#[test]
fn malformed_stored_texts_are_refused_without_panic() {
    let (flow, stored, state) = started(&mut rng(6), NOW);
    let v = flow.verifier().secret();
    let check = stored.split('.').nth(3).unwrap();
    for text in [
        String::new(),
        "v1".to_owned(),
        "v1.".to_owned(),
        "v1....".to_owned(),
        stored.replacen("v1.", "v2.", 1),
        stored.replacen("v1.", "V1.", 1),
        stored.replacen(&format!(".{NOW}."), &format!(".0{NOW}."), 1),
        stored.replacen(&format!(".{NOW}."), &format!(".+{NOW}."), 1),
        stored.replacen(&format!(".{NOW}."), ".18446744073709551616.", 1),
        stored.replacen(&format!(".{NOW}."), "..", 1),
        stored.replacen(check, &check.to_uppercase(), 1),
        format!("{stored}{}", "A".repeat(85)), // a 128-character verifier with a stale check
        "x".repeat(10_000),
        format!("v1.{NOW}.{state}.{check}"),
        format!("v1.{NOW}.{state}.{check}.{v}.{v}"),
    ] {
        assert_eq!(
            ClientFlow::resume(&text, &state, NOW).unwrap_err(),
            FlowError::Malformed,
            "{text:?}"
        );
    }
}

/// `v1.<digits>.<state>.<check>.<verifier>` with a correct check value.
fn with_check(digits: &str, state: &str, verifier: &str) -> String {
    let head = format!("v1.{digits}.{state}.");
    let digest = Sha256::new()
        .chain_update(&head)
        .chain_update(verifier)
        .finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{head}{hex}.{verifier}")
}

#[test]
fn fields_are_strict_even_with_a_correct_check() {
    let (flow, stored, state) = started(&mut rng(13), NOW);
    let v = flow.verifier().secret();
    assert_eq!(
        with_check(&NOW.to_string(), &state, v),
        stored,
        "control: the helper writes the format"
    );
    let ok = |text: &str, returned: &str, now| ClientFlow::resume(text, returned, now);
    // Decimal start times: no leading zero, sign, space or overflow.
    for digits in [
        format!("0{NOW}"),
        format!("+{NOW}"),
        format!(" {NOW}"),
        "18446744073709551616".to_owned(),
        "000000000000000000001".to_owned(),
        String::new(),
    ] {
        let text = with_check(&digits, &state, v);
        assert_eq!(
            ok(&text, &state, NOW).unwrap_err(),
            FlowError::Malformed,
            "{digits:?}"
        );
    }
    assert!(ok(&with_check("0", &state, v), &state, 0).is_ok());
    let max = with_check("18446744073709551615", &state, v);
    assert_eq!(ok(&max, &state, u64::MAX).unwrap().issued_at(), u64::MAX);
    // The state: exactly 43 base64url characters.
    for bad in [
        &state[..42],
        &format!("{state}A"),
        &state.replacen(&state[..1], "+", 1),
        &state.replacen(&state[..1], ".", 1),
    ] {
        let text = with_check(&NOW.to_string(), bad, v);
        assert_eq!(
            ok(&text, bad, NOW).unwrap_err(),
            FlowError::Malformed,
            "{bad:?}"
        );
    }
    // The verifier: RFC 7636 §4.1, 43 to 128 unreserved characters.
    let long = "A.~-_0".repeat(22);
    for (verifier, valid) in [
        (&v[..42], false),
        (&long[..128], true),
        (&long[..129], false),
        (&format!("{}%7E", &v[..40]), false),
    ] {
        let text = with_check(&NOW.to_string(), &state, verifier);
        let r = ok(&text, &state, NOW);
        assert_eq!(r.is_ok(), valid, "{verifier:?}: {r:?}");
        if let Ok(f) = r {
            assert_eq!(f.verifier().secret(), verifier);
            assert_eq!(f.challenge().as_str(), s256(verifier));
        }
    }
}

// The documented bound, exactly: the longest fields (a 20-digit time, a
// 128-character verifier) make 229 characters, which round-trip, and no
// more is accepted (a bound flow's text, version 2, may be longer).
#[test]
fn the_longest_unbound_text_is_229_characters() {
    let (_, _, state) = started(&mut rng(9), NOW);
    let verifier = "A.~-_0".repeat(22)[..128].to_owned();
    let text = with_check(&u64::MAX.to_string(), &state, &verifier);
    assert_eq!(text.len(), 229);
    let flow = ClientFlow::resume(&text, &state, u64::MAX).unwrap();
    assert_eq!(flow.to_stored().secret(), text);
    assert_eq!(flow.verifier().secret(), verifier);
    // A `StoredFlow` is sized for a bound flow's longest text (573 octets,
    // tests/bound_flow.rs), with a two-octet length and one of alignment.
    assert_eq!(size_of::<StoredFlow>(), 576);
    // One more character anywhere is refused.
    let longer = with_check(&u64::MAX.to_string(), &state, &format!("{verifier}A"));
    assert_eq!(longer.len(), 230);
    assert_eq!(
        ClientFlow::resume(&longer, &state, u64::MAX).unwrap_err(),
        FlowError::Malformed
    );
}

/// Runs `T`'s destructor in place and returns the bytes left behind (as
/// tests/zeroize.rs does).
fn bytes_after_drop<T>(value: T) -> Vec<u8> {
    let mut slot = std::mem::MaybeUninit::new(value);
    // SAFETY: `slot` holds an initialized `T`, dropped exactly once here and
    // never used as a `T` again; its storage stays valid and is read as bytes.
    unsafe {
        std::ptr::drop_in_place(slot.as_mut_ptr());
        std::slice::from_raw_parts(slot.as_ptr().cast::<u8>(), size_of::<T>()).to_vec()
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn flows_and_stored_texts_are_zeroized_on_drop() {
    let (flow, stored, state) = started(&mut rng(14), NOW);
    let verifier = flow.verifier().secret().to_owned();
    let left = bytes_after_drop(flow);
    assert!(
        !contains(&left, &verifier.as_bytes()[..8]),
        "verifier left behind"
    );
    assert!(
        !contains(&left, &state.as_bytes()[..8]),
        "state left behind"
    );

    let text = ClientFlow::resume(&stored, &state, NOW)
        .unwrap()
        .to_stored();
    assert_eq!(text.secret(), stored, "control");
    let left = bytes_after_drop(text);
    assert!(
        left.iter().all(|&b| b == 0),
        "every byte of the stored text is cleared"
    );
}
