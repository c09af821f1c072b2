//! Rules of the token endpoint: which `code_verifier` it accepts for a
//! code.

use base64ct::{Base64UrlUnpadded, Encoding as _};
use sha2::{Digest as _, Sha256};

use super::{Judged, change_last, combine, issue_s256, pkce, refused_or, single};
use crate::fail::Failure;
use crate::probe::catalog::{
    CROSS_FLOW, DOWNGRADE, MISSING_VERIFIER, SHORT_VERIFIER, WRONG_VERIFIER,
};
use crate::probe::report::Row;
use crate::probe::session::{Authz, ProbeClient, Session};
use crate::probe::verdict::authz_refusal;
use crate::token::Reply;

pub(crate) fn missing_verifier(s: &mut Session, c: &ProbeClient) -> Result<Row, Failure> {
    let (code, verifier) = issue_s256(s, c)?;
    let mut judged = refused_or(
        s,
        c,
        &code,
        None,
        "token endpoint issued an access token without code_verifier for a code bound to an S256 challenge",
    )?;
    // What the server does next: a refusal for PKCE may leave the code
    // open (see failed-attempt); one for something else often does.
    if judged.outcome != crate::probe::report::Outcome::Fail
        && let Reply::Issued(_) = s.redeem(c, &code, Some(verifier.secret()))?
    {
        judged
            .text
            .push_str("; the right code_verifier then got a token for the same code (the refusal did not consume it)");
    }
    Ok(single(&MISSING_VERIFIER, judged))
}

pub(crate) fn wrong_verifier(s: &mut Session, c: &ProbeClient) -> Result<Row, Failure> {
    let mut cases = Vec::new();
    for case in ["one character changed", "the challenge itself"] {
        let (code, verifier) = issue_s256(s, c)?;
        let wrong = match case {
            "one character changed" => change_last(verifier.secret()),
            _ => verifier.challenge().as_str().to_owned(),
        };
        let issued = "token endpoint issued an access token for a wrong verifier";
        cases.push((case, refused_or(s, c, &code, Some(&wrong), issued)?));
    }
    Ok(combine(&WRONG_VERIFIER, cases))
}

pub(crate) fn downgrade(s: &mut Session, confidential: &ProbeClient) -> Result<Row, Failure> {
    let code = match s.authorize(confidential, &[])? {
        Authz::NotIssued(refusal) => {
            let judged = authz_refusal(&refusal);
            let text = format!(
                "authorization endpoint refused a request without code_challenge ({}): PKCE is required for this client too, no code to downgrade",
                judged.text
            );
            return Ok(single(&DOWNGRADE, Judged { text, ..judged }));
        }
        Authz::Issued(code) => code,
    };
    let verifier = s.verifier()?;
    let judged = refused_or(
        s,
        confidential,
        &code,
        Some(verifier.secret()),
        "token endpoint issued an access token for a code_verifier on a code issued without code_challenge",
    )?;
    Ok(single(&DOWNGRADE, judged))
}

pub(crate) fn cross_flow(s: &mut Session, c: &ProbeClient) -> Result<Row, Failure> {
    let (code, _own) = issue_s256(s, c)?;
    let (_other_code, other) = issue_s256(s, c)?;
    let judged = refused_or(
        s,
        c,
        &code,
        Some(other.secret()),
        "token endpoint issued an access token for one flow's code with another pending flow's verifier",
    )?;
    Ok(single(&CROSS_FLOW, judged))
}

/// The S256 challenges of verifiers too short for RFC 7636 §4.1, then
/// those verifiers.
pub(crate) fn short_verifier(s: &mut Session, c: &ProbeClient) -> Result<Row, Failure> {
    let long = s.verifier()?;
    // 42 characters of a fresh verifier: a secret, redacted like it.
    let short42: String = long.secret().chars().take(42).collect();
    s.keep_secret(&short42);
    let mut cases = vec![("42 characters", short_case(s, c, &[short42])?)];
    // One character: only 66 exist, so a server that refuses a repeated
    // challenge (RFC 9700 §2.1.1) may have seen this one; a few random
    // tries. Not redacted: a public test value, and redacting one
    // character would garble every server text.
    let mut tries = Vec::new();
    for _ in 0..4 {
        let mut byte = [0u8; 1];
        getrandom::fill(&mut byte).map_err(|e| Failure::network(e.to_string()))?;
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
        let i = usize::from(byte[0]) % alphabet.len();
        tries.push(char::from(alphabet.get(i).copied().unwrap_or(b'~')).to_string());
    }
    cases.push(("1 character", short_case(s, c, &tries)?));
    Ok(combine(&SHORT_VERIFIER, cases))
}

/// The first of `tries` whose S256 challenge gets a code, redeemed with
/// that short verifier.
fn short_case(s: &mut Session, c: &ProbeClient, tries: &[String]) -> Result<Judged, Failure> {
    let mut last = None;
    for short in tries {
        let challenge = Base64UrlUnpadded::encode_string(&Sha256::digest(short.as_bytes()));
        match s.authorize(c, &pkce(&challenge, "S256"))? {
            Authz::NotIssued(refusal) => last = Some(refusal),
            Authz::Issued(code) => {
                return refused_or(
                    s,
                    c,
                    &code,
                    Some(short),
                    "token endpoint issued an access token for a verifier shorter than 43 characters",
                );
            }
        }
    }
    Ok(Judged::inconclusive(format!(
        "authorization endpoint refused a well-formed S256 challenge: {}",
        last.map_or_else(String::new, |r| r.text)
    )))
}
