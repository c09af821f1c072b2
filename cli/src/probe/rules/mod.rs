//! The probe's rules, one function each, grouped by the endpoint they
//! test. A rule that finds the server enforcing it says what the server
//! did to refuse; one that does not says what it issued instead; one that
//! cannot tell says why. Every code comes from a fresh authorization
//! request with fresh values (a failed redemption may consume a code, and
//! RFC 9700 §2.1.1 lets a server refuse a repeated challenge).

mod authz;
mod codes;
mod token;

pub(crate) use authz::{
    iss, malformed_challenge, metadata_s256, method_case, missing_challenge, missing_method, plain,
};
pub(crate) use codes::{concurrent_redemption, failed_attempt, replay};
pub(crate) use token::{cross_flow, downgrade, missing_verifier, short_verifier, wrong_verifier};

use proofkey::CodeVerifier;

use super::report::{Outcome, Row, Rule};
use super::session::{Authz, ProbeClient, Session};
use super::verdict::{Judged, token_refusal};
use crate::fail::Failure;
use crate::token::Reply;

/// The row of a rule run as several cases: FAIL if any case failed, else
/// INCONCLUSIVE if any was, else PASS. Failing cases are told first, as
/// `what (case)`; the others as `case: what`, grouped when the server
/// answered them alike.
fn combine(rule: &'static Rule, cases: Vec<(&str, Judged)>) -> Row {
    let worst = [Outcome::Fail, Outcome::Inconclusive, Outcome::Pass]
        .into_iter()
        .find(|o| cases.iter().any(|(_, j)| j.outcome == *o))
        .unwrap_or(Outcome::Pass);
    let mut parts: Vec<String> = cases
        .iter()
        .filter(|(_, j)| j.outcome == Outcome::Fail)
        .map(|(c, j)| format!("{} ({c})", j.text))
        .collect();
    let rest: Vec<&(&str, Judged)> = cases
        .iter()
        .filter(|(_, j)| j.outcome != Outcome::Fail)
        .collect();
    match rest.split_first() {
        Some(((_, first), others)) if others.iter().all(|(_, j)| j.text == first.text) => {
            let names: Vec<&str> = rest.iter().map(|(c, _)| *c).collect();
            parts.push(format!("{}: {}", names.join(", "), first.text));
        }
        _ => parts.extend(rest.iter().map(|(c, j)| format!("{c}: {}", j.text))),
    }
    let notes = cases.iter().filter_map(|(c, j)| {
        j.note.as_ref().map(|n| {
            if cases.len() > 1 {
                format!("{c}: {n}")
            } else {
                n.clone()
            }
        })
    });
    Row::new(rule, worst, parts.join("; ")).with_notes(notes)
}

/// A token request for `code` with `verifier` that must be refused:
/// FAIL with `issued` if a token came, else judged as a PKCE refusal
/// (RFC 7636 §4.6: invalid_grant).
fn refused_or(
    s: &mut Session,
    c: &ProbeClient,
    code: &str,
    verifier: Option<&str>,
    issued: &str,
) -> Result<Judged, Failure> {
    let reply = s.redeem(c, code, verifier)?;
    Ok(match &reply {
        Reply::Issued(_) => Judged::fail(issued),
        refused => token_refusal(refused, s.token_text(refused), "invalid_grant")
            .prefixed("token endpoint refused: "),
    })
}

/// The row of a rule with one case.
fn single(rule: &'static Rule, judged: Judged) -> Row {
    Row::new(rule, judged.outcome, judged.text).with_notes(judged.note)
}

/// A rule that needs a client or flag the user did not give.
pub(crate) fn skipped(rule: &'static Rule, flags: &str) -> Row {
    Row::new(rule, Outcome::Skipped, format!("skipped: needs {flags}"))
}

/// `code_challenge` and `code_challenge_method` pairs.
pub(crate) fn pkce<'a>(challenge: &'a str, method: &'a str) -> [(&'static str, &'a str); 2] {
    [
        ("code_challenge", challenge),
        ("code_challenge_method", method),
    ]
}

/// What the server did instead of completing a correct S256 flow: the
/// control every rule starts from.
pub(crate) enum NoControl {
    /// The authorization endpoint issued no code.
    NoCode(String),
    /// The token endpoint refused the code and its verifier.
    NoToken(String),
}

impl NoControl {
    /// What the server did, without advice.
    pub(crate) fn finding(&self) -> &str {
        match self {
            Self::NoCode(finding) | Self::NoToken(finding) => finding,
        }
    }

    /// An error of the setup (client, redirect URI), not a rule: exit 2,
    /// with what to check.
    fn into_failure(self, s: &Session) -> Failure {
        match self {
            Self::NoCode(finding) => {
                let mut hints = vec!["check the client id and redirect URI"];
                if !s.has_scope() {
                    hints.push("OpenID providers usually need --scope openid");
                }
                if s.is_auto() {
                    hints.push("--auto needs a server that approves without a login page: else run without --auto");
                }
                Failure::usage(format!("{finding} ({})", hints.join("; ")))
            }
            Self::NoToken(finding) => Failure::usage(format!(
                "{finding}; check the client id, secret and redirect URI"
            )),
        }
    }
}

/// A code bound to a fresh S256 challenge and its verifier, or what the
/// authorization endpoint did instead.
fn try_issue_s256(
    s: &mut Session,
    c: &ProbeClient,
) -> Result<Result<(String, CodeVerifier), NoControl>, Failure> {
    let verifier = s.verifier()?;
    let challenge = verifier.challenge();
    Ok(match s.authorize(c, &pkce(challenge.as_str(), "S256"))? {
        Authz::Issued(code) => Ok((code, verifier)),
        Authz::NotIssued(what) => Err(NoControl::NoCode(format!(
            "a correct S256 authorization request for client {} got no code: the authorization endpoint {what}",
            c.client.id
        ))),
    })
}

/// A code bound to a fresh S256 challenge, and its verifier. Not getting
/// one is an error of the setup (client, redirect URI), not a rule.
pub(crate) fn issue_s256(
    s: &mut Session,
    c: &ProbeClient,
) -> Result<(String, CodeVerifier), Failure> {
    try_issue_s256(s, c)?.map_err(|no| no.into_failure(s))
}

/// The control flow through to its token: the redeemed code and its
/// verifier, or what the server did instead. A network error is still an
/// error.
pub(crate) fn try_baseline(
    s: &mut Session,
    c: &ProbeClient,
) -> Result<Result<(String, CodeVerifier), NoControl>, Failure> {
    let (code, verifier) = match try_issue_s256(s, c)? {
        Ok(issued) => issued,
        Err(no) => return Ok(Err(no)),
    };
    Ok(match s.redeem(c, &code, Some(verifier.secret()))? {
        Reply::Issued(_) => Ok((code, verifier)),
        refused => Err(NoControl::NoToken(format!(
            "a correct S256 token request for client {} was refused: {}",
            c.client.id,
            s.token_text(&refused)
        ))),
    })
}

/// The control: a correct S256 flow gets a token. Without it, a refusal
/// proves nothing. Returns the redeemed code and its verifier (`replay`
/// starts from such codes).
pub(crate) fn baseline(
    s: &mut Session,
    c: &ProbeClient,
) -> Result<(String, CodeVerifier), Failure> {
    try_baseline(s, c)?.map_err(|no| no.into_failure(s))
}

/// `verifier` with its last character replaced (still a valid verifier).
fn change_last(verifier: &str) -> String {
    let mut out: String = verifier
        .chars()
        .take(verifier.chars().count().saturating_sub(1))
        .collect();
    out.push(if verifier.ends_with('A') { 'B' } else { 'A' });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::catalog::REPLAY;

    #[test]
    fn changed_verifier() {
        let changed = change_last("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(changed, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXA");
        assert_eq!(change_last("xA"), "xB");
    }

    #[test]
    fn the_worst_case_decides_and_failures_come_first() {
        let row = combine(
            &REPLAY,
            vec![
                ("a", Judged::pass("refused")),
                ("b", Judged::fail("issued a token")),
                ("c", Judged::pass("refused")),
            ],
        );
        assert_eq!(row.outcome, Outcome::Fail);
        assert_eq!(row.observed, "issued a token (b); a, c: refused");
        let row = combine(
            &REPLAY,
            vec![("a", Judged::pass("x")), ("b", Judged::inconclusive("y"))],
        );
        assert_eq!(row.outcome, Outcome::Inconclusive);
        assert_eq!(row.observed, "a: x; b: y");
    }
}
