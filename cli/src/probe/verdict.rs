//! Whether a refusal is the one a rule tests. A PASS needs a refusal for
//! the PKCE reason: an OAuth error the RFCs use for it (another one than
//! the rule's gets a note naming both). A refusal for client
//! authentication, a server error, a missing endpoint or no redirect at
//! all says nothing about PKCE: INCONCLUSIVE, with the reason.

use super::report::Outcome;
use super::session::{Refusal, Refused};
use crate::token::Reply;

/// One case of a rule, judged.
pub(crate) struct Judged {
    pub(crate) outcome: Outcome,
    /// What the server did (redacted).
    pub(crate) text: String,
    pub(crate) note: Option<String>,
}

impl Judged {
    pub(crate) fn fail(text: impl Into<String>) -> Self {
        Self::new(Outcome::Fail, text)
    }

    pub(crate) fn pass(text: impl Into<String>) -> Self {
        Self::new(Outcome::Pass, text)
    }

    pub(crate) fn inconclusive(text: impl Into<String>) -> Self {
        Self::new(Outcome::Inconclusive, text)
    }

    fn new(outcome: Outcome, text: impl Into<String>) -> Self {
        Self {
            outcome,
            text: text.into(),
            note: None,
        }
    }

    /// The same verdict, its text after `prefix`.
    #[must_use]
    pub(crate) fn prefixed(mut self, prefix: &str) -> Self {
        self.text = format!("{prefix}{}", self.text);
        self
    }
}

/// Error codes that name something else than the request's PKCE
/// parameters: the client, the grant type, the scope, the user, the server.
const NOT_PKCE: [&str; 12] = [
    "invalid_client",
    "unauthorized_client",
    "unsupported_grant_type",
    "unsupported_response_type",
    "invalid_scope",
    "access_denied",
    "server_error",
    "temporarily_unavailable",
    "login_required",
    "consent_required",
    "interaction_required",
    "account_selection_required",
];

/// Why `error` (with `status`, for a token answer) is no PKCE refusal,
/// or `None` if it can be one.
fn not_pkce(status: Option<u16>, error: Option<&str>) -> Option<String> {
    match (status, error) {
        (Some(s @ 500..=599), _) => Some(format!("a server error (HTTP {s}), not a PKCE refusal")),
        (Some(s @ (404 | 405)), _) => Some(format!(
            "HTTP {s}: the endpoint is not there, not a PKCE refusal"
        )),
        (_, Some(e)) if NOT_PKCE.contains(&e) => Some(format!(
            "{e} refuses something else than the PKCE parameters"
        )),
        (Some(401), _) => {
            Some("HTTP 401: client authentication failed, not a PKCE refusal".to_owned())
        }
        (_, None) => Some("no OAuth error code in the answer: the reason is unknown".to_owned()),
        _ => None,
    }
}

/// A note when the server's code is not the one the RFC names.
fn other_code(got: &str, expected: &str) -> Option<String> {
    (got != expected)
        .then(|| format!("refused with {got}; the RFC's code here is {expected} (still a refusal)"))
}

/// A token endpoint's refusal where the rule expects a PKCE refusal with
/// the error code `expected`; `text` is the redacted description of it.
pub(crate) fn token_refusal(reply: &Reply, text: String, expected: &str) -> Judged {
    match reply {
        Reply::Issued(_) => Judged::fail(text),
        Reply::Refused { status, error, .. } => match not_pkce(Some(*status), error.as_deref()) {
            Some(why) => Judged::inconclusive(format!("{text}: {why}")),
            None => Judged {
                note: other_code(error.as_deref().unwrap_or_default(), expected),
                ..Judged::pass(text)
            },
        },
    }
}

/// An authorization endpoint's refusal where the rule expects a PKCE
/// refusal, sent back by redirect with `invalid_request` (RFC 7636 §4.4.1).
pub(crate) fn authz_refusal(refusal: &Refusal) -> Judged {
    let text = format!("refused: {}", refusal.text);
    match &refusal.how {
        Refused::Redirected { error } => match not_pkce(None, error.as_deref()) {
            Some(why) => Judged::inconclusive(format!("{text}: {why}")),
            None => Judged {
                note: other_code(error.as_deref().unwrap_or_default(), "invalid_request"),
                ..Judged::pass(text)
            },
        },
        Refused::Page | Refused::NoRedirect => Judged::inconclusive(format!(
            "{text}: without an error redirect the reason cannot be told (RFC 6749 §4.1.2.1 redirects PKCE errors)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16, error: Option<&str>) -> Reply {
        Reply::Refused {
            status,
            error: error.map(str::to_owned),
            description: None,
        }
    }

    #[test]
    fn only_a_pkce_refusal_passes() {
        let judge = |r: Reply| token_refusal(&r, "t".into(), "invalid_grant");
        let pass = judge(refused(400, Some("invalid_grant")));
        assert_eq!((pass.outcome, pass.note), (Outcome::Pass, None));
        let other = judge(refused(400, Some("invalid_request")));
        assert_eq!(other.outcome, Outcome::Pass);
        let note = other.note.unwrap();
        assert!(
            note.contains("invalid_request") && note.contains("invalid_grant"),
            "{note}"
        );
        for reply in [
            refused(400, Some("invalid_client")),
            refused(401, Some("invalid_grant")),
            refused(500, Some("invalid_grant")),
            refused(404, None),
            refused(400, None),
            refused(400, Some("unauthorized_client")),
        ] {
            assert_eq!(judge(reply).outcome, Outcome::Inconclusive);
        }
        assert_eq!(judge(Reply::Issued(String::new())).outcome, Outcome::Fail);
    }

    #[test]
    fn an_authorization_refusal_must_be_a_redirect_with_a_pkce_error() {
        let judge = |how| {
            authz_refusal(&Refusal {
                how,
                text: "x".into(),
            })
            .outcome
        };
        let redirected = |e: Option<&str>| Refused::Redirected {
            error: e.map(str::to_owned),
        };
        assert_eq!(judge(redirected(Some("invalid_request"))), Outcome::Pass);
        assert_eq!(
            judge(redirected(Some("access_denied"))),
            Outcome::Inconclusive
        );
        assert_eq!(judge(redirected(None)), Outcome::Inconclusive);
        assert_eq!(judge(Refused::NoRedirect), Outcome::Inconclusive);
        assert_eq!(judge(Refused::Page), Outcome::Inconclusive);
    }
}
