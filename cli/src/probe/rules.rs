//! The probe's rules, one function each. A rule that finds the server
//! enforcing it says what the server did to refuse; one that does not says
//! what it issued instead. Every code comes from a fresh authorization
//! request with fresh values (a failed redemption may consume a code, and
//! RFC 9700 §2.1.1 lets a server refuse a repeated challenge).

use base64ct::{Base64UrlUnpadded, Encoding as _};
use proofkey::CodeVerifier;

use super::catalog::{
    CROSS_FLOW, DOWNGRADE, MALFORMED_CHALLENGE, METADATA_S256, METHOD_CASE, MISSING_CHALLENGE,
    MISSING_VERIFIER, PLAIN, PLAIN_ALLOWED, REPLAY, WRONG_VERIFIER,
};
use super::report::{Row, Rule, Verdict};
use super::session::{Authz, ProbeClient, Session};
use crate::fail::Failure;
use crate::token::Reply;

/// `case: what` for each case, or `a, b: what` when every case got the
/// same answer.
fn cases(notes: &[(&str, String)]) -> String {
    match notes.split_first() {
        Some(((_, first), rest)) if rest.iter().all(|(_, w)| w == first) => {
            let names: Vec<&str> = notes.iter().map(|(c, _)| *c).collect();
            format!("{}: {first}", names.join(", "))
        }
        _ => notes
            .iter()
            .map(|(c, w)| format!("{c}: {w}"))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn row(rule: &'static Rule, verdict: Verdict, observed: String) -> Row {
    Row {
        rule,
        observed,
        verdict,
    }
}

/// A rule that needs a client the user did not name.
pub(crate) fn skipped(rule: &'static Rule, flags: &str) -> Row {
    row(rule, Verdict::Skip, format!("skipped: needs {flags}"))
}

/// `code_challenge` and `code_challenge_method` pairs.
fn pkce<'a>(challenge: &'a str, method: &'a str) -> [(&'static str, &'a str); 2] {
    [
        ("code_challenge", challenge),
        ("code_challenge_method", method),
    ]
}

/// A code bound to a fresh S256 challenge, and its verifier. Not getting
/// one is an error of the setup (client, redirect URI), not a rule.
pub(crate) fn issue_s256(
    s: &mut Session,
    c: &ProbeClient,
) -> Result<(String, CodeVerifier), Failure> {
    let verifier = s.verifier()?;
    let challenge = verifier.challenge();
    match s.authorize(c, &pkce(challenge.as_str(), "S256"))? {
        Authz::Issued(code) => Ok((code, verifier)),
        Authz::NotIssued(what) => {
            let mut hints = vec!["check the client id and redirect URI"];
            if !s.has_scope() {
                hints.push("OpenID providers usually need --scope openid");
            }
            if s.is_auto() {
                hints.push("--auto needs a server that approves without a login page: else run without --auto");
            }
            Err(Failure::usage(format!(
                "a correct S256 authorization request for client {} got no code: the authorization endpoint {what} ({})",
                c.client.id,
                hints.join("; ")
            )))
        }
    }
}

/// The control: a correct S256 flow gets a token. Without it, a refusal
/// proves nothing. Returns the redeemed code and its verifier (for `replay`).
pub(crate) fn baseline(
    s: &mut Session,
    c: &ProbeClient,
) -> Result<(String, CodeVerifier), Failure> {
    let (code, verifier) = issue_s256(s, c)?;
    match s.redeem(c, &code, Some(verifier.secret()))? {
        Reply::Issued(_) => Ok((code, verifier)),
        refused => Err(Failure::usage(format!(
            "a correct S256 token request for client {} was refused: {}; check the client id, secret and redirect URI",
            c.client.id,
            s.token_text(&refused)
        ))),
    }
}

pub(crate) fn metadata_s256(s: &Session) -> Row {
    match &s.meta.methods {
        None => row(
            &METADATA_S256,
            Verdict::Fail,
            "the metadata has no code_challenge_methods_supported (clients must then assume no PKCE)".to_owned(),
        ),
        Some(methods) if methods.iter().any(|m| m == "S256") => row(
            &METADATA_S256,
            Verdict::Pass,
            format!("lists {}", methods.join(", ")),
        ),
        Some(methods) if methods.is_empty() => row(&METADATA_S256, Verdict::Fail, "lists no method".to_owned()),
        Some(methods) => row(
            &METADATA_S256,
            Verdict::Fail,
            format!("lists {} but not S256", methods.join(", ")),
        ),
    }
}

pub(crate) fn missing_challenge(s: &mut Session, public: &ProbeClient) -> Result<Row, Failure> {
    Ok(match s.authorize(public, &[])? {
        Authz::NotIssued(what) => row(
            &MISSING_CHALLENGE,
            Verdict::Pass,
            format!("refused: {what}"),
        ),
        Authz::Issued(code) => {
            let then = match s.redeem(public, &code, None)? {
                Reply::Issued(_) => {
                    "issued an access token for it without code_verifier".to_owned()
                }
                refused => format!("refused it: {}", s.token_text(&refused)),
            };
            row(
                &MISSING_CHALLENGE,
                Verdict::Fail,
                format!(
                    "authorization endpoint issued a code to public client {} without code_challenge; the token endpoint then {then}",
                    public.client.id
                ),
            )
        }
    })
}

pub(crate) fn plain(s: &mut Session, c: &ProbeClient, allow_plain: bool) -> Result<Row, Failure> {
    let rule = if allow_plain { &PLAIN_ALLOWED } else { &PLAIN };
    let verifier = s.verifier()?;
    let code = match s.authorize(c, &pkce(verifier.secret(), "plain"))? {
        Authz::NotIssued(what) => return Ok(row(rule, Verdict::Pass, format!("refused: {what}"))),
        Authz::Issued(code) => code,
    };
    if allow_plain {
        let wrong = s.verifier()?;
        return Ok(match s.redeem(c, &code, Some(wrong.secret()))? {
            Reply::Issued(_) => row(
                rule,
                Verdict::Fail,
                "issued a code for plain, then an access token for a wrong plain verifier"
                    .to_owned(),
            ),
            refused => row(
                rule,
                Verdict::Pass,
                format!(
                    "issued a code for plain (allowed: --allow-plain); a wrong plain verifier was refused: {}",
                    s.token_text(&refused)
                ),
            ),
        });
    }
    let then = match s.redeem(c, &code, Some(verifier.secret()))? {
        Reply::Issued(_) => "issued an access token for the plain verifier".to_owned(),
        refused => format!("refused the plain verifier: {}", s.token_text(&refused)),
    };
    Ok(row(
        rule,
        Verdict::Fail,
        format!(
            "authorization endpoint issued a code for code_challenge_method=plain; the token endpoint then {then}"
        ),
    ))
}

pub(crate) fn method_case(s: &mut Session, c: &ProbeClient) -> Result<Row, Failure> {
    let mut notes = Vec::new();
    let mut refused = Vec::new();
    for method in ["s256", "S512"] {
        let verifier = s.verifier()?;
        let challenge = verifier.challenge();
        match s.authorize(c, &pkce(challenge.as_str(), method))? {
            Authz::NotIssued(what) => refused.push((method, what)),
            Authz::Issued(code) => {
                // The dangerous reading of an unknown method: plain.
                let as_plain = match s.redeem(c, &code, Some(challenge.as_str()))? {
                    Reply::Issued(_) => {
                        " and its token endpoint accepted the challenge itself as the verifier (read as plain)"
                    }
                    Reply::Refused { .. } => "",
                };
                notes.push(format!("authorization endpoint issued a code for code_challenge_method={method}{as_plain}"));
            }
        }
    }
    Ok(if notes.is_empty() {
        row(
            &METHOD_CASE,
            Verdict::Pass,
            format!("refused {}", cases(&refused)),
        )
    } else {
        row(&METHOD_CASE, Verdict::Fail, notes.join("; "))
    })
}

pub(crate) fn malformed_challenge(s: &mut Session, c: &ProbeClient) -> Result<Row, Failure> {
    let mut issued = Vec::new();
    let mut refused = Vec::new();
    for case in [
        "hex digest (64 characters)",
        "padded (44 characters)",
        "truncated (42 characters)",
    ] {
        let verifier = s.verifier()?;
        let good = verifier.challenge().as_str().to_owned();
        let bad = match case {
            "hex digest (64 characters)" => hex_digest(&good),
            "padded (44 characters)" => format!("{good}="),
            _ => good.chars().take(42).collect(),
        };
        match s.authorize(c, &pkce(&bad, "S256"))? {
            Authz::Issued(_) => issued.push(case),
            Authz::NotIssued(what) => refused.push((case, what)),
        }
    }
    Ok(if issued.is_empty() {
        row(
            &MALFORMED_CHALLENGE,
            Verdict::Pass,
            format!("refused {}", cases(&refused)),
        )
    } else {
        row(
            &MALFORMED_CHALLENGE,
            Verdict::Fail,
            format!(
                "authorization endpoint issued codes for malformed S256 challenges, which no verifier can redeem: {}",
                issued.join(", ")
            ),
        )
    })
}

/// The S256 digest in hex, a common client bug (RFC 7636 §4.2 wants base64url).
fn hex_digest(challenge: &str) -> String {
    let digest = Base64UrlUnpadded::decode_vec(challenge).unwrap_or_default();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn missing_verifier(s: &mut Session, c: &ProbeClient) -> Result<Row, Failure> {
    let (code, _verifier) = issue_s256(s, c)?;
    Ok(match s.redeem(c, &code, None)? {
        Reply::Issued(_) => row(
            &MISSING_VERIFIER,
            Verdict::Fail,
            "token endpoint issued an access token without code_verifier for a code bound to an S256 challenge".to_owned(),
        ),
        refused => row(&MISSING_VERIFIER, Verdict::Pass, format!("token endpoint refused: {}", s.token_text(&refused))),
    })
}

pub(crate) fn wrong_verifier(s: &mut Session, c: &ProbeClient) -> Result<Row, Failure> {
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for case in ["one character changed", "the challenge itself"] {
        let (code, verifier) = issue_s256(s, c)?;
        let wrong = match case {
            "one character changed" => change_last(verifier.secret()),
            _ => verifier.challenge().as_str().to_owned(),
        };
        match s.redeem(c, &code, Some(&wrong))? {
            Reply::Issued(_) => accepted.push(case),
            reply => refused.push((case, s.token_text(&reply))),
        }
    }
    Ok(if accepted.is_empty() {
        row(
            &WRONG_VERIFIER,
            Verdict::Pass,
            format!("token endpoint refused {}", cases(&refused)),
        )
    } else {
        row(
            &WRONG_VERIFIER,
            Verdict::Fail,
            format!(
                "token endpoint issued an access token for a wrong verifier: {}",
                accepted.join(", ")
            ),
        )
    })
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

pub(crate) fn downgrade(s: &mut Session, confidential: &ProbeClient) -> Result<Row, Failure> {
    let code = match s.authorize(confidential, &[])? {
        Authz::NotIssued(what) => {
            return Ok(row(
                &DOWNGRADE,
                Verdict::Pass,
                format!(
                    "authorization endpoint refused a request without code_challenge ({what}): PKCE is required for this client too, no code to downgrade"
                ),
            ));
        }
        Authz::Issued(code) => code,
    };
    let verifier = s.verifier()?;
    Ok(match s.redeem(confidential, &code, Some(verifier.secret()))? {
        Reply::Issued(_) => row(
            &DOWNGRADE,
            Verdict::Fail,
            "token endpoint issued an access token for a code_verifier on a code issued without code_challenge".to_owned(),
        ),
        refused => row(
            &DOWNGRADE,
            Verdict::Pass,
            format!("token endpoint refused the code_verifier of a code issued without challenge: {}", s.token_text(&refused)),
        ),
    })
}

pub(crate) fn replay(
    s: &mut Session,
    c: &ProbeClient,
    redeemed: &(String, CodeVerifier),
) -> Result<Row, Failure> {
    let (code, verifier) = redeemed;
    Ok(match s.redeem(c, code, Some(verifier.secret()))? {
        Reply::Issued(_) => row(
            &REPLAY,
            Verdict::Fail,
            "token endpoint issued a second access token for a code already redeemed".to_owned(),
        ),
        refused => row(
            &REPLAY,
            Verdict::Pass,
            format!("second redemption refused: {}", s.token_text(&refused)),
        ),
    })
}

pub(crate) fn cross_flow(s: &mut Session, c: &ProbeClient) -> Result<Row, Failure> {
    let (code, _own) = issue_s256(s, c)?;
    let (_other_code, other) = issue_s256(s, c)?;
    Ok(match s.redeem(c, &code, Some(other.secret()))? {
        Reply::Issued(_) => row(
            &CROSS_FLOW,
            Verdict::Fail,
            "token endpoint issued an access token for one flow's code with another pending flow's verifier".to_owned(),
        ),
        refused => row(&CROSS_FLOW, Verdict::Pass, format!("token endpoint refused: {}", s.token_text(&refused))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_values() {
        // RFC 7636 Appendix B.
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert_eq!(
            hex_digest(challenge),
            "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3"
        );
        let changed = change_last("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(changed, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXA");
        assert_eq!(change_last("xA"), "xB");
    }
}
