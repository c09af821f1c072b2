//! Rules of a code's life: used once (`replay`), not left open by a
//! failed guess (`failed-attempt`), consumed atomically
//! (`concurrent-redemption`).

use proofkey::CodeVerifier;

use super::{Judged, baseline, change_last, combine, issue_s256, refused_or, single};
use crate::fail::Failure;
use crate::probe::catalog::{CONCURRENT_REDEMPTION, FAILED_ATTEMPT, REPLAY};
use crate::probe::report::{Outcome, Row};
use crate::probe::session::{ProbeClient, Session};
use crate::probe::verdict::token_refusal;
use crate::token::Reply;

const INVALID_GRANT: &str = "invalid_grant";

/// A second redemption of a redeemed `code`: FAIL if it got a token.
fn again(
    s: &mut Session,
    c: &ProbeClient,
    code: &str,
    verifier: Option<&str>,
) -> Result<Judged, Failure> {
    let issued = "token endpoint issued a second access token for a code already redeemed";
    refused_or(s, c, code, verifier, issued)
}

/// After a successful redemption, the same code again: with the same
/// verifier (the baseline's code), without one, with a wrong one (a code
/// each: a refusal may consume it). The control: a code never issued.
pub(crate) fn replay(
    s: &mut Session,
    c: &ProbeClient,
    redeemed: &(String, CodeVerifier),
) -> Result<Row, Failure> {
    let (code, verifier) = redeemed;
    let mut cases = vec![("same verifier", again(s, c, code, Some(verifier.secret()))?)];
    let (code, _) = baseline(s, c)?;
    cases.push(("no verifier", again(s, c, &code, None)?));
    let (code, verifier) = baseline(s, c)?;
    let wrong = change_last(verifier.secret());
    cases.push(("wrong verifier", again(s, c, &code, Some(&wrong))?));

    // A code this server never issued, in the shape of a verifier.
    let never = s.verifier()?;
    let any = s.verifier()?;
    if let Reply::Issued(_) = s.redeem(c, never.secret(), Some(any.secret()))? {
        return Ok(Row::new(
            &REPLAY,
            Outcome::Inconclusive,
            "the negative control failed: the token endpoint issued an access token for a code it never issued; it is broken beyond PKCE, and no rule on codes can be judged",
        ));
    }
    Ok(combine(&REPLAY, cases))
}

/// A wrong verifier on a fresh code, then the right one.
pub(crate) fn failed_attempt(s: &mut Session, c: &ProbeClient) -> Result<Row, Failure> {
    let (code, verifier) = issue_s256(s, c)?;
    let wrong = change_last(verifier.secret());
    let first = s.redeem(c, &code, Some(&wrong))?;
    if let Reply::Issued(_) = first {
        return Ok(Row::new(
            &FAILED_ATTEMPT,
            Outcome::Inconclusive,
            "the wrong verifier itself got an access token (see wrong-verifier): nothing left to guess",
        ));
    }
    let first_text = s.token_text(&first);
    let guessed = token_refusal(&first, first_text.clone(), INVALID_GRANT);
    let judged = match s.redeem(c, &code, Some(verifier.secret()))? {
        Reply::Issued(_) if guessed.outcome == Outcome::Pass => Judged::fail(format!(
            "token endpoint refused a wrong verifier ({first_text}), then issued an access token for the right one: failed guesses do not consume the code, so the verifier can be guessed online"
        )),
        Reply::Issued(_) => Judged::inconclusive(format!(
            "the wrong verifier was refused for another reason ({}); the right one then got a token",
            guessed.text
        )),
        refused => {
            let then = s.token_text(&refused);
            Judged {
                text: format!(
                    "wrong verifier refused ({}); the right one then refused too ({then}): the failed attempt consumed the code",
                    guessed.text
                ),
                ..guessed
            }
        }
    };
    Ok(single(&FAILED_ATTEMPT, judged))
}

/// `n` simultaneous token requests with the right verifier on one code.
pub(crate) fn concurrent_redemption(
    s: &mut Session,
    c: &ProbeClient,
    n: usize,
) -> Result<Row, Failure> {
    let (code, verifier) = issue_s256(s, c)?;
    let mut tokens = 0;
    let mut refusals: Vec<String> = Vec::new();
    for reply in s.redeem_concurrently(c, &code, verifier.secret(), n) {
        match reply? {
            Reply::Issued(_) => tokens += 1,
            refused => {
                let text = s.token_text(&refused);
                if !refusals.contains(&text) {
                    refusals.push(text);
                }
            }
        }
    }
    let others = if refusals.is_empty() {
        String::new()
    } else {
        format!("; the others: {}", refusals.join(", "))
    };
    let row = |outcome, text: String| Row::new(&CONCURRENT_REDEMPTION, outcome, text);
    Ok(match tokens {
        0 => row(
            Outcome::Inconclusive,
            format!("none of {n} simultaneous token requests got an access token{others}"),
        ),
        1 => row(
            Outcome::Pass,
            format!("1 of {n} simultaneous token requests got an access token{others}"),
        ),
        k => {
            // A code never consumed gives every request a token: that is
            // replay, and says nothing about the race.
            if let Reply::Issued(_) = s.redeem(c, &code, Some(verifier.secret()))? {
                row(
                    Outcome::Inconclusive,
                    format!(
                        "{k} of {n} simultaneous token requests got an access token, and the code was still redeemable after them: it is never consumed (see replay), so the race cannot be told apart"
                    ),
                )
            } else {
                row(
                    Outcome::Fail,
                    format!(
                        "{k} of {n} simultaneous token requests got an access token for one code{others}"
                    ),
                )
            }
        }
    })
}
