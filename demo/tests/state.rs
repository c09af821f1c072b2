//! `state` comes back exactly as the client sent it, percent-encoding
//! included (RFC 6749 §4.1.2: "the exact value received from the client"),
//! on success and on error, even when it is not UTF-8.

use oauth2::reqwest::StatusCode;
use proofkey::Policy;

#[path = "support/http.rs"]
mod http;
#[path = "support/raw.rs"]
mod raw;
use http::{SPA_REDIRECT, start};
use raw::{get_authorize, raw_param, spa_query};

/// Encodings a decode and re-encode would alter.
const STATES: &[&str] = &[
    "%FF%FE",    // not UTF-8: used to come back as %EF%BF%BD%EF%BF%BD
    "a+b",       // a form-encoded space, not %20
    "%20",       // not +
    "~",         // not %7E
    "%7E",       // not ~
    "x%26y%3Dz", // an escaped & and =, not a second parameter
    "caf%C3%A9",
    // (no ': the client's URL parser sends it as %27)
    "AZaz09-._~!$()*,;:@/?",
];

#[tokio::test]
async fn state_is_echoed_byte_exact_with_the_code() {
    let server = start(Policy::production()).await;
    for &state in STATES {
        let (status, location) =
            get_authorize(&server, &spa_query(&format!("state={state}"))).await;
        assert_eq!(status, StatusCode::FOUND, "{state}");
        let location = location.expect("Location");
        assert!(
            location.starts_with(&format!("{SPA_REDIRECT}?code=")),
            "{location}"
        );
        assert_eq!(raw_param(&location, "state"), Some(state), "{location}");
        assert!(raw_param(&location, "iss").is_some(), "{location}");
    }
}

#[tokio::test]
async fn state_is_echoed_byte_exact_with_an_error() {
    let server = start(Policy::production()).await;
    let redirect: String =
        oauth2::url::form_urlencoded::byte_serialize(SPA_REDIRECT.as_bytes()).collect();
    for &state in STATES {
        // a public client without a challenge: invalid_request, by redirect
        let query =
            format!("response_type=code&client_id=spa&redirect_uri={redirect}&state={state}");
        let (status, location) = get_authorize(&server, &query).await;
        assert_eq!(status, StatusCode::FOUND, "{state}");
        let location = location.expect("Location");
        assert_eq!(raw_param(&location, "error"), Some("invalid_request"));
        assert_eq!(raw_param(&location, "state"), Some(state), "{location}");
    }
}

#[tokio::test]
async fn state_first_in_the_query_or_with_an_encoded_name_is_found() {
    let server = start(Policy::production()).await;
    let (_, location) = get_authorize(&server, &format!("st%61te=%FF&{}", spa_query(""))).await;
    assert_eq!(
        raw_param(&location.expect("Location"), "state"),
        Some("%FF")
    );
}

#[tokio::test]
async fn empty_or_repeated_state_is_not_echoed() {
    let server = start(Policy::production()).await;
    let (_, location) = get_authorize(&server, &spa_query("state=")).await;
    let location = location.expect("Location");
    assert!(raw_param(&location, "code").is_some());
    assert_eq!(raw_param(&location, "state"), None);

    let (_, location) = get_authorize(&server, &spa_query("state=a&state=b")).await;
    let location = location.expect("Location");
    assert_eq!(raw_param(&location, "error"), Some("invalid_request"));
    assert_eq!(
        raw_param(&location, "error_description"),
        Some("state+parameter+repeated")
    );
    assert_eq!(raw_param(&location, "state"), None);
}
