//! The probe's traffic: authorization requests (answered through a
//! browser and the loopback listener, or followed with `--auto`) and token
//! requests, all to the issuer's origin. Codes, verifiers and secrets stay
//! here: every text that leaves is redacted.

use std::io::{self, Write};
use std::time::Duration;

use proofkey::CodeVerifier;

use crate::authz::{self, Landing, Response};
use crate::discovery::Metadata;
use crate::fail::{Failure, redact};
use crate::http::Http;
use crate::loopback::Loopback;
use crate::token::{self, Client, Reply};

/// How codes are obtained.
pub(crate) enum Mode {
    /// Follow the authorization endpoint's redirects with the HTTP client.
    Auto,
    /// The system browser (or the URL on stderr), and the loopback listener.
    Browser { open: bool, timeout: Duration },
}

/// A client the probe uses; `listener` is its redirect receiver in
/// browser mode.
pub(crate) struct ProbeClient {
    pub(crate) client: Client,
    pub(crate) listener: Option<usize>,
}

/// What one authorization request gave.
pub(crate) enum Authz {
    /// A code (never printed).
    Issued(String),
    /// No code: what the server did instead, redacted.
    NotIssued(String),
}

pub(crate) struct Session {
    http: Http,
    pub(crate) meta: Metadata,
    mode: Mode,
    scope: Option<String>,
    pub(crate) listeners: Vec<Loopback>,
    secrets: Vec<String>,
    requests: usize,
}

impl Session {
    pub(crate) fn new(http: Http, meta: Metadata, mode: Mode, scope: Option<String>) -> Self {
        Self {
            http,
            meta,
            mode,
            scope,
            listeners: Vec::new(),
            secrets: Vec::new(),
            requests: 0,
        }
    }

    pub(crate) fn has_scope(&self) -> bool {
        self.scope.is_some()
    }

    pub(crate) fn is_auto(&self) -> bool {
        matches!(self.mode, Mode::Auto)
    }

    /// Never printed: redacted from every server text from now on.
    pub(crate) fn keep_secret(&mut self, secret: &str) {
        self.secrets.push(secret.to_owned());
    }

    /// A server's text without any secret of this probe.
    pub(crate) fn redact(&self, text: &str) -> String {
        let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        redact(text, &secrets)
    }

    /// A fresh verifier (43 characters, 256 bits from the OS).
    pub(crate) fn verifier(&mut self) -> Result<CodeVerifier, Failure> {
        let verifier = CodeVerifier::from_rng(&mut getrandom::SysRng)
            .map_err(|e| Failure::network(e.to_string()))?;
        self.keep_secret(verifier.secret());
        Ok(verifier)
    }

    /// One authorization request for `c` with the PKCE parameters `pkce`
    /// (none, or a challenge and a method as the rule needs them).
    pub(crate) fn authorize(
        &mut self,
        c: &ProbeClient,
        pkce: &[(&str, &str)],
    ) -> Result<Authz, Failure> {
        // A fresh state per request (RFC 6749 §10.12); a verifier's
        // alphabet and length suit it.
        let state = CodeVerifier::from_rng(&mut getrandom::SysRng)
            .map_err(|e| Failure::network(e.to_string()))?;
        let state = state.secret().to_owned();
        let redirect_uri = c.client.redirect_uri.clone();
        let mut pairs = vec![
            ("response_type", "code"),
            ("client_id", c.client.id.as_str()),
            ("redirect_uri", redirect_uri.as_str()),
            ("state", state.as_str()),
        ];
        if let Some(scope) = &self.scope {
            pairs.push(("scope", scope.as_str()));
        }
        pairs.extend_from_slice(pkce);
        let url = authz::request_url(&self.meta.authorization_endpoint, &pairs);
        self.requests += 1;
        let landing = match (&self.mode, c.listener) {
            (Mode::Auto, _) => authz::follow(&self.http, &url, &redirect_uri)?,
            (Mode::Browser { open, timeout }, Some(index)) => {
                let mut err = io::stderr().lock();
                if *open && webbrowser::open(url.as_str()).is_ok() {
                    let _ = writeln!(
                        err,
                        "authorization request {}: opened in the browser",
                        self.requests
                    );
                } else {
                    let _ = writeln!(err, "authorization request {}: open {url}", self.requests);
                }
                drop(err);
                match self.listeners[index].wait(*timeout, Some(&state))? {
                    Some(response) => Landing::Redirected(response),
                    None => {
                        return Ok(Authz::NotIssued(format!(
                            "no redirect to the redirect URI within {} s (the browser shows the server's page: an error, or a login)",
                            timeout.as_secs()
                        )));
                    }
                }
            }
            (Mode::Browser { .. }, None) => {
                return Err(Failure::usage(format!(
                    "the redirect URI {redirect_uri} is not a loopback URI: without --auto, every redirect URI must be http://127.0.0.1:PORT/path"
                )));
            }
        };
        Ok(self.classify(landing))
    }

    fn classify(&mut self, landing: Landing) -> Authz {
        match landing {
            Landing::Redirected(Response {
                code: Some(code),
                error: None,
                ..
            }) => {
                self.keep_secret(&code);
                Authz::Issued(code)
            }
            Landing::Redirected(response) => Authz::NotIssued(match response.error_text() {
                Some(error) => format!("redirected with {}", self.redact(&error)),
                None => "redirected without a code".to_owned(),
            }),
            Landing::Page { status, error } => {
                let mut text = format!("answered HTTP {status} without redirecting");
                if let Some(error) = error {
                    text.push_str(&format!(": {}", self.redact(&error)));
                }
                Authz::NotIssued(text)
            }
        }
    }

    /// Redeems `code` for `c`, with `code_verifier` if `verifier` is `Some`.
    pub(crate) fn redeem(
        &mut self,
        c: &ProbeClient,
        code: &str,
        verifier: Option<&str>,
    ) -> Result<Reply, Failure> {
        token::redeem(&self.http, &self.meta, &c.client, code, verifier)
    }

    /// What the token endpoint did, for the table: redacted.
    pub(crate) fn token_text(&self, reply: &Reply) -> String {
        self.redact(&reply.refusal_text())
    }
}
