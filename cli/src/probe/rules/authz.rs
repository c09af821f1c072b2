//! Rules of the authorization endpoint: what it advertises, which
//! challenges it binds to a code, and RFC 9207's `iss`.

use base64ct::{Base64UrlUnpadded, Encoding as _};

use super::{Judged, combine, pkce, single};
use crate::fail::Failure;
use crate::probe::catalog::{
    ISS, MALFORMED_CHALLENGE, METADATA_S256, METHOD_CASE, MISSING_CHALLENGE, MISSING_METHOD, PLAIN,
    PLAIN_ALLOWED,
};
use crate::probe::report::{Outcome, Row, Severity};
use crate::probe::session::{Authz, ProbeClient, Refused, Session};
use crate::probe::verdict::{authz_refusal, token_refusal};
use crate::token::Reply;

/// `without_metadata`: the endpoints were given on the command line.
pub(crate) fn metadata_s256(s: &Session, without_metadata: bool) -> Row {
    let row = |outcome, text: String| Row::new(&METADATA_S256, outcome, text);
    if without_metadata {
        return row(
            Outcome::Skipped,
            "skipped: no metadata was read (--authorization-endpoint and --token-endpoint given)"
                .to_owned(),
        );
    }
    match &s.meta.methods {
        None => row(
            Outcome::Fail,
            "the metadata has no code_challenge_methods_supported (clients must then assume no PKCE)".to_owned(),
        ),
        Some(methods) if methods.iter().any(|m| m == "S256") => {
            row(Outcome::Pass, format!("lists {}", methods.join(", ")))
        }
        Some(methods) if methods.is_empty() => row(Outcome::Fail, "lists no method".to_owned()),
        Some(methods) => row(
            Outcome::Fail,
            format!("lists {} but not S256", methods.join(", ")),
        ),
    }
}

pub(crate) fn missing_challenge(s: &mut Session, public: &ProbeClient) -> Result<Row, Failure> {
    let judged = match s.authorize(public, &[])? {
        Authz::NotIssued(refusal) => authz_refusal(&refusal),
        Authz::Issued(code) => {
            let then = match s.redeem(public, &code, None)? {
                Reply::Issued(_) => {
                    "issued an access token for it without code_verifier".to_owned()
                }
                refused => format!("refused it: {}", s.token_text(&refused)),
            };
            Judged::fail(format!(
                "authorization endpoint issued a code to public client {} without code_challenge; the token endpoint then {then}",
                public.client.id
            ))
        }
    };
    Ok(single(&MISSING_CHALLENGE, judged))
}

pub(crate) fn plain(s: &mut Session, c: &ProbeClient, allow_plain: bool) -> Result<Row, Failure> {
    let rule = if allow_plain { &PLAIN_ALLOWED } else { &PLAIN };
    let verifier = s.verifier()?;
    let code = match s.authorize(c, &pkce(verifier.secret(), "plain"))? {
        Authz::NotIssued(refusal) => return Ok(single(rule, authz_refusal(&refusal))),
        Authz::Issued(code) => code,
    };
    if allow_plain {
        let wrong = s.verifier()?;
        let reply = s.redeem(c, &code, Some(wrong.secret()))?;
        let judged = match &reply {
            Reply::Issued(_) => Judged::fail(
                "issued a code for plain, then an access token for a wrong plain verifier",
            ),
            refused => token_refusal(refused, s.token_text(refused), "invalid_grant").prefixed(
                "issued a code for plain (allowed: --allow-plain); a wrong plain verifier was refused: ",
            ),
        };
        return Ok(single(rule, judged));
    }
    let then = match s.redeem(c, &code, Some(verifier.secret()))? {
        Reply::Issued(_) => "issued an access token for the plain verifier".to_owned(),
        refused => format!("refused the plain verifier: {}", s.token_text(&refused)),
    };
    Ok(single(
        rule,
        Judged::fail(format!(
            "authorization endpoint issued a code for code_challenge_method=plain; the token endpoint then {then}"
        )),
    ))
}

pub(crate) fn method_case(s: &mut Session, c: &ProbeClient) -> Result<Row, Failure> {
    let mut cases = Vec::new();
    for method in ["s256", "S512"] {
        let verifier = s.verifier()?;
        let challenge = verifier.challenge();
        let judged = match s.authorize(c, &pkce(challenge.as_str(), method))? {
            Authz::NotIssued(refusal) => authz_refusal(&refusal),
            Authz::Issued(code) => {
                // The dangerous reading of an unknown method: plain.
                let as_plain = match s.redeem(c, &code, Some(challenge.as_str()))? {
                    Reply::Issued(_) => {
                        " and its token endpoint accepted the challenge itself as the verifier (read as plain)"
                    }
                    Reply::Refused { .. } => "",
                };
                Judged::fail(format!(
                    "authorization endpoint issued a code for code_challenge_method={method}{as_plain}"
                ))
            }
        };
        cases.push((method, judged));
    }
    Ok(combine(&METHOD_CASE, cases))
}

pub(crate) fn malformed_challenge(s: &mut Session, c: &ProbeClient) -> Result<Row, Failure> {
    let mut cases = Vec::new();
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
        let judged = match s.authorize(c, &pkce(&bad, "S256"))? {
            Authz::Issued(_) => Judged::fail(
                "authorization endpoint issued a code for a malformed S256 challenge, which no verifier can redeem",
            ),
            Authz::NotIssued(refusal) => authz_refusal(&refusal),
        };
        cases.push((case, judged));
    }
    Ok(combine(&MALFORMED_CHALLENGE, cases))
}

/// The S256 digest in hex, a common client bug (RFC 7636 §4.2 wants base64url).
fn hex_digest(challenge: &str) -> String {
    let digest = Base64UrlUnpadded::decode_vec(challenge).unwrap_or_default();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A challenge V, which is also a valid verifier, without a method; then
/// `code_verifier=V`. RFC 7636 §4.3 reads the missing method as plain.
pub(crate) fn missing_method(s: &mut Session, c: &ProbeClient) -> Result<Row, Failure> {
    let v = s.verifier()?;
    let code = match s.authorize(c, &[("code_challenge", v.secret())])? {
        Authz::NotIssued(refusal) => return Ok(single(&MISSING_METHOD, authz_refusal(&refusal))),
        Authz::Issued(code) => code,
    };
    let reply = s.redeem(c, &code, Some(v.secret()))?;
    let judged = match &reply {
        Reply::Issued(_) => Judged::fail(
            "authorization endpoint issued a code for a code_challenge without code_challenge_method, and the token endpoint redeemed it with code_verifier equal to the challenge (read as plain): whoever saw the authorization request can redeem the code",
        ),
        refused => token_refusal(refused, s.token_text(refused), "invalid_grant").prefixed(
            "authorization endpoint issued a code for a challenge without method; the token endpoint refused code_verifier equal to the challenge (not read as plain): ",
        ),
    };
    Ok(single(&MISSING_METHOD, judged))
}

/// RFC 9207: `iss` on a success and on an error redirect.
pub(crate) fn iss(s: &mut Session, c: &ProbeClient) -> Result<Row, Failure> {
    let issuer = s.meta.issuer.clone();
    let advertised = s.meta.iss_supported;
    super::issue_s256(s, c)?;
    let mut seen = vec![("success", s.last_iss.clone())];
    // An unknown method: an error redirect (if the server redirects errors).
    let verifier = s.verifier()?;
    let error_case = s.authorize(c, &pkce(verifier.challenge().as_str(), "S512"))?;
    let error_redirected = matches!(
        &error_case,
        Authz::NotIssued(r) if matches!(r.how, Refused::Redirected { .. })
    );
    if error_redirected {
        seen.push(("error", s.last_iss.clone()));
    }
    let describe = |(case, iss): &(&str, Option<String>)| match iss {
        None => format!("{case}: no iss"),
        Some(v) if *v == issuer => format!("{case}: iss equal to the issuer"),
        Some(v) => format!("{case}: iss {} (the issuer is {issuer})", s.redact(v)),
    };
    let text: Vec<String> = seen.iter().map(describe).collect();
    let mut text = text.join("; ");
    if !error_redirected {
        text.push_str("; no error redirect to check");
    }
    let wrong = seen
        .iter()
        .any(|(_, v)| v.as_ref().is_some_and(|v| *v != issuer));
    let missing = seen.iter().any(|(_, v)| v.is_none());
    let none_sent = seen.iter().all(|(_, v)| v.is_none());
    let row = |outcome, text: String| Row::new(&ISS, outcome, text);
    Ok(match (advertised, wrong, missing) {
        (_, true, _) => row(Outcome::Fail, text),
        (true, false, true) => row(
            Outcome::Fail,
            format!("{text} (the metadata advertises authorization_response_iss_parameter_supported)"),
        ),
        (false, false, true) if none_sent => row(
            Outcome::Fail,
            format!("{text}: neither advertised nor sent (OAuth 2.1 draft -16 requires it)"),
        )
        .with_severity(Severity::Info),
        (false, false, true) => row(
            Outcome::Fail,
            format!("{text}: sent on some responses only, and not advertised"),
        ),
        (true, false, false) => row(Outcome::Pass, text),
        (false, false, false) => row(Outcome::Pass, text)
            .with_notes(["iss is sent but the metadata does not advertise authorization_response_iss_parameter_supported".to_owned()]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_of_the_appendix_b_challenge() {
        // RFC 7636 Appendix B.
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert_eq!(
            hex_digest(challenge),
            "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3"
        );
    }
}
