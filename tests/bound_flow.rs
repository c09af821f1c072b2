//! A `ClientFlow` bound to its issuer and resource (MCP 2026-07-28,
//! SEP-2468): the record survives the redirect inside the stored text,
//! covered by its check value; the `iss` check and the token-endpoint
//! check use the recorded issuer.

use proofkey::{
    ClientFlow, FlowError, FlowStore, IssParameter, MAX_ISSUER_LEN, MAX_RESOURCE_LEN, StoredFlow,
};
use sha2::{Digest, Sha256};

#[path = "support/flow.rs"]
mod flow;
use flow::{NOW, base64url, is_base64url, rng};

const A: &str = "https://a.example/tenant";
const B: &str = "https://b.example/tenant";
const RESOURCE: &str = "https://mcp.example/mcp";

fn bound(seed: u8, issuer: &str, resource: Option<&str>) -> (ClientFlow, String, String) {
    let flow = ClientFlow::from_rng(&mut rng(seed), NOW)
        .unwrap()
        .for_issuer(issuer, resource)
        .unwrap();
    let stored = flow.to_stored().secret().to_owned();
    let state = flow.state().to_owned();
    (flow, stored, state)
}

#[test]
fn the_stored_text_carries_issuer_and_resource_under_the_check() {
    let (flow, stored, state) = bound(1, A, Some(RESOURCE));
    assert!(is_base64url(&stored.replace('.', "")), "{stored}");
    let fields: Vec<&str> = stored.splitn(7, '.').collect();
    assert_eq!(fields[..3], ["v2", &NOW.to_string(), &state]);
    assert_eq!(fields[3], base64url(A.as_bytes()));
    assert_eq!(fields[4], base64url(RESOURCE.as_bytes()));
    assert_eq!(fields[6], flow.verifier().secret());
    // The check covers everything before it, the binding included.
    let head = format!("v2.{NOW}.{state}.{}.{}.", fields[3], fields[4]);
    let digest = Sha256::new()
        .chain_update(head.as_bytes())
        .chain_update(fields[6].as_bytes())
        .finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(fields[5], hex);

    let back = ClientFlow::resume(&stored, &state, NOW + 1).unwrap();
    assert_eq!(back.issuer(), Some(A));
    assert_eq!(back.resource(), Some(RESOURCE));
    assert_eq!(back.resource_pair(), Some(("resource", RESOURCE)));
    assert_eq!(back.verifier().secret(), flow.verifier().secret());
    assert_eq!(back.to_stored().secret(), stored);

    // Without a resource: an empty resource field.
    let (_, stored, state) = bound(2, A, None);
    assert!(stored.contains(&format!(".{}..", base64url(A.as_bytes()))));
    let back = ClientFlow::resume(&stored, &state, NOW).unwrap();
    assert_eq!((back.issuer(), back.resource()), (Some(A), None));
    assert_eq!(back.resource_pair(), None);
}

#[test]
fn a_flow_for_issuer_a_resumed_with_the_iss_of_b_fails() {
    let (_, stored, state) = bound(3, A, Some(RESOURCE));
    let back = ClientFlow::resume(&stored, &state, NOW).unwrap();
    for iss in [IssParameter::Advertised, IssParameter::NotAdvertised] {
        assert_eq!(back.check_recorded_issuer(Some(A), iss), Ok(()));
        // No normalising: another server, a slash, a case, a space.
        for wrong in [
            B,
            "https://a.example/tenant/",
            "https://A.example/tenant",
            "",
            " ",
        ] {
            assert_eq!(
                back.check_recorded_issuer(Some(wrong), iss),
                Err(FlowError::IssuerMismatch),
                "{wrong:?} {iss:?}"
            );
        }
        // The caller's own idea of the issuer cannot override the record.
        assert_eq!(
            back.check_issuer(B, Some(B), iss),
            Err(FlowError::IssuerMismatch)
        );
    }
}

#[test]
fn an_advertised_iss_that_is_missing_fails() {
    let (_, stored, state) = bound(4, A, None);
    let back = ClientFlow::resume(&stored, &state, NOW).unwrap();
    assert_eq!(
        back.check_recorded_issuer(None, IssParameter::Advertised),
        Err(FlowError::MissingIssuer)
    );
    assert_eq!(
        back.check_recorded_issuer(None, IssParameter::NotAdvertised),
        Ok(())
    );
    assert_eq!(
        IssParameter::from_metadata(Some(true)),
        IssParameter::Advertised
    );
}

#[test]
fn a_stored_text_changed_in_the_issuer_or_resource_part_fails() {
    let (_, stored, state) = bound(5, A, Some(RESOURCE));
    let issuer_at = stored.match_indices('.').nth(2).unwrap().0 + 1;
    let check_at = stored.match_indices('.').nth(4).unwrap().0;
    // Every single-character change of the two parts and their separator.
    for i in issuer_at..check_at {
        for c in ['A', 'a', '0', '-', '_', '.', 'Q'] {
            let mut text = stored.clone().into_bytes();
            if text[i] == c as u8 {
                continue;
            }
            text[i] = c as u8;
            let text = String::from_utf8(text).unwrap();
            assert_eq!(
                ClientFlow::resume(&text, &state, NOW).unwrap_err(),
                FlowError::Malformed,
                "{i} {c}"
            );
        }
    }
    // Issuer B's encoding in A's place (the check left as it was).
    let swapped = stored.replace(&base64url(A.as_bytes()), &base64url(B.as_bytes()));
    assert_ne!(swapped, stored);
    assert_eq!(
        ClientFlow::resume(&swapped, &state, NOW).unwrap_err(),
        FlowError::Malformed
    );
    // Dropping the binding (as a v1 text) fails too.
    let fields: Vec<&str> = stored.splitn(7, '.').collect();
    let unbound = format!("v1.{}.{}.{}.{}", fields[1], fields[2], fields[5], fields[6]);
    assert_eq!(
        ClientFlow::resume(&unbound, &state, NOW).unwrap_err(),
        FlowError::Malformed
    );
}

#[test]
fn the_token_endpoint_must_be_the_recorded_issuers() {
    let (flow, _, _) = bound(6, A, None);
    assert_eq!(
        flow.token_endpoint(A, "https://a.example/token"),
        Ok("https://a.example/token")
    );
    // A server on another host is fine if the metadata is the issuer's.
    assert_eq!(
        flow.token_endpoint(A, "https://tokens.example/t"),
        Ok("https://tokens.example/t")
    );
    for other in [B, "https://a.example/tenant/", ""] {
        assert_eq!(
            flow.token_endpoint(other, "https://b.example/token"),
            Err(FlowError::ForeignTokenEndpoint),
            "{other:?}"
        );
    }
}

#[test]
fn an_unbound_flow_has_no_record_to_check_against() {
    let flow = ClientFlow::from_rng(&mut rng(7), NOW).unwrap();
    assert_eq!((flow.issuer(), flow.resource()), (None, None));
    assert!(flow.to_stored().secret().starts_with("v1."));
    assert_eq!(
        flow.check_recorded_issuer(Some(A), IssParameter::Advertised),
        Err(FlowError::Unbound)
    );
    assert_eq!(
        flow.token_endpoint(A, "https://a.example/token"),
        Err(FlowError::Unbound)
    );
    // The unbound check, with the caller's issuer, still works.
    assert_eq!(
        flow.check_issuer(A, Some(A), IssParameter::Advertised),
        Ok(())
    );
}

#[test]
fn bad_bindings_are_refused_and_a_flow_is_bound_once() {
    let long = format!("https://{}", "a".repeat(MAX_ISSUER_LEN - 8));
    assert_eq!(long.len(), MAX_ISSUER_LEN);
    let too_long = format!("{long}a");
    let start = || ClientFlow::from_rng(&mut rng(8), NOW).unwrap();
    assert!(
        start()
            .for_issuer(&long, Some(&long[..MAX_RESOURCE_LEN]))
            .is_ok()
    );
    for (issuer, resource) in [
        ("", None),
        (too_long.as_str(), None),
        (A, Some(too_long.as_str())),
        (A, Some("")),
        ("https://a.example/ t", None),
        ("https://ä.example", None),
        ("https://a.example\u{0}", None),
    ] {
        assert_eq!(
            start().for_issuer(issuer, resource).unwrap_err(),
            FlowError::InvalidBinding,
            "{issuer:?} {resource:?}"
        );
    }
    let once = start().for_issuer(A, None).unwrap();
    assert_eq!(
        once.for_issuer(B, None).unwrap_err(),
        FlowError::InvalidBinding
    );
}

#[test]
fn the_longest_bound_text_is_573_characters_and_round_trips() {
    let issuer = format!("https://{}", "i".repeat(MAX_ISSUER_LEN - 8));
    let resource = format!("https://{}", "r".repeat(MAX_RESOURCE_LEN - 8));
    let flow = ClientFlow::from_rng(&mut rng(9), u64::MAX)
        .unwrap()
        .for_issuer(&issuer, Some(&resource))
        .unwrap();
    // A 43-character verifier here; 128 would add 85.
    let stored = flow.to_stored();
    assert_eq!(stored.secret().len(), 573 - (128 - 43));
    let back = ClientFlow::resume(stored.secret(), flow.state(), u64::MAX).unwrap();
    assert_eq!(
        (back.issuer(), back.resource()),
        (Some(&*issuer), Some(&*resource))
    );
    // 573 octets, the two-octet length and one octet of alignment.
    assert_eq!(std::mem::size_of::<StoredFlow>(), 576);

    // With a 128-character verifier: 573 exactly, which round-trips, and
    // one character more is refused.
    let head = stored.secret().rsplitn(3, '.').nth(2).unwrap().to_owned() + ".";
    let with_verifier = |verifier: &str| {
        let digest = Sha256::new()
            .chain_update(head.as_bytes())
            .chain_update(verifier.as_bytes())
            .finalize();
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!("{head}{hex}.{verifier}")
    };
    let verifier = "A.~-_0".repeat(22)[..128].to_owned();
    let longest = with_verifier(&verifier);
    assert_eq!(longest.len(), 573);
    let back = ClientFlow::resume(&longest, flow.state(), u64::MAX).unwrap();
    assert_eq!(back.verifier().secret(), verifier);
    assert_eq!(back.to_stored().secret(), longest);
    let longer = with_verifier(&format!("{verifier}A"));
    assert_eq!(longer.len(), 574);
    assert_eq!(
        ClientFlow::resume(&longer, flow.state(), u64::MAX).unwrap_err(),
        FlowError::Malformed
    );
}

#[test]
fn a_flow_store_keeps_the_binding() {
    let mut store = FlowStore::<2>::new();
    let (flow, _, state) = bound(10, A, Some(RESOURCE));
    store.insert(flow, NOW).unwrap();
    let (other, _, other_state) = bound(11, B, None);
    store.insert(other, NOW).unwrap();
    let back = store.take(&state, NOW + 1).unwrap();
    assert_eq!((back.issuer(), back.resource()), (Some(A), Some(RESOURCE)));
    let back = store.take(&other_state, NOW + 1).unwrap();
    assert_eq!((back.issuer(), back.resource()), (Some(B), None));
    // A slot taken is cleared: an unbound flow in it stays unbound.
    let unbound = ClientFlow::from_rng(&mut rng(12), NOW).unwrap();
    let unbound_state = unbound.state().to_owned();
    store.insert(unbound, NOW).unwrap();
    assert_eq!(store.take(&unbound_state, NOW).unwrap().issuer(), None);
}

#[test]
fn debug_shows_the_binding_and_hides_the_secrets() {
    let (flow, stored, state) = bound(13, A, Some(RESOURCE));
    let dbg = format!("{flow:?}");
    assert_eq!(
        dbg,
        format!(
            "ClientFlow {{ issued_at: {NOW}, issuer: \"{A}\", resource: \"{RESOURCE}\", state: [REDACTED], verifier: [REDACTED] }}"
        )
    );
    assert!(!dbg.contains(&state[..8]) && !dbg.contains(&stored[stored.len() - 8..]));
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any valid issuer and resource round-trip exactly, and any
        /// single changed octet of the text is refused (never a flow with
        /// another binding).
        #[test]
        fn bindings_round_trip_and_every_edit_is_refused(
            seed: u8,
            issuer in "[!-~]{1,128}",
            resource in proptest::option::of("[!-~]{1,128}"),
            at: prop::sample::Index,
            octet: u8,
        ) {
            let flow = ClientFlow::from_rng(&mut rng(seed), NOW)
                .unwrap()
                .for_issuer(&issuer, resource.as_deref())
                .unwrap();
            let stored = flow.to_stored();
            let text = stored.secret();
            prop_assert!(text.len() <= 573);
            let back = ClientFlow::resume(text, flow.state(), NOW).unwrap();
            prop_assert_eq!(back.issuer(), Some(issuer.as_str()));
            prop_assert_eq!(back.resource(), resource.as_deref());

            let mut edited = text.as_bytes().to_vec();
            let i = at.index(edited.len());
            prop_assume!(edited[i] != octet);
            edited[i] = octet;
            if let Ok(edited) = String::from_utf8(edited) {
                prop_assert!(ClientFlow::resume(&edited, flow.state(), NOW).is_err());
            }
        }

        /// Arbitrary text after the version-2 prefix: an error, no panic.
        #[test]
        fn arbitrary_version_2_text_is_refused(rest in "[ -~]{0,600}") {
            let text = format!("v2.{rest}");
            prop_assert!(ClientFlow::resume(&text, "state", NOW).is_err());
        }
    }
}
