//! `GET /authorize`: RFC 6749 §4.1.1 with PKCE (RFC 7636 §4.3). There is
//! no login or consent screen: every valid request is approved at once.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::Response;
use proofkey_store::{CodeRecord, CodeStore, Pkce, StoreError};
use url::form_urlencoded;

use crate::AppState;
use crate::clients::find_client;
use crate::codes::random_token;
use crate::http::{error_page, raw_state, redirect, single};
use crate::log::client_label;
use crate::reuse::Unchecked;
use crate::weaken::{self, Weakened};

/// What the endpoint decided: one log line and one response each.
enum Decision {
    /// A 400 page: the client or its redirect URI is not known to be good
    /// (RFC 6749 §4.1.2.1), so nothing goes back to it.
    Page(&'static str),
    /// An error sent back by redirect (RFC 6749 §4.1.2.1).
    Refused {
        redirect_uri: String,
        error: [(&'static str, &'static str); 2],
    },
    /// A code, sent back by redirect (RFC 6749 §4.1.2).
    Issued {
        redirect_uri: String,
        code: String,
        pkce: &'static str,
        weakened: Weakened,
    },
}

/// This server's own redirect errors, in the shape of
/// [`proofkey::AuthorizeError::query_pairs`].
fn refused(redirect_uri: &str, error: &'static str, description: &'static str) -> Decision {
    Decision::Refused {
        redirect_uri: redirect_uri.to_owned(),
        error: [("error", error), ("error_description", description)],
    }
}

pub(crate) async fn authorize(
    State(s): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let (client, state, decision) = decide(&s, &query).await;
    let who = client_label(client);
    let issuer = &s.settings.issuer;
    match decision {
        Decision::Page(message) => {
            s.log
                .line(format_args!("authorize client={who}: 400 page ({message})"));
            error_page(message)
        }
        Decision::Refused {
            redirect_uri,
            error: [(_, error), (_, description)],
        } => {
            s.log.line(format_args!(
                "authorize client={who}: {error} ({description})"
            ));
            let params = [("error", error), ("error_description", description)];
            redirect(&redirect_uri, &params, state.as_deref(), issuer)
        }
        Decision::Issued {
            redirect_uri,
            code,
            pkce,
            weakened,
        } => {
            match weakened {
                None => s.log.line(format_args!(
                    "authorize client={who}: code issued (PKCE: {pkce})"
                )),
                Some(w) => s.log.line(format_args!(
                    "authorize client={who}: code issued (PKCE: {pkce}) WEAKENED by --weaken {w}"
                )),
            }
            redirect(&redirect_uri, &[("code", &code)], state.as_deref(), issuer)
        }
    }
}

/// The checks in order: the registered client (if any), the `state` to
/// echo (once the redirect URI is good), and the decision.
async fn decide(s: &AppState, query: &str) -> (Option<&'static str>, Option<String>, Decision) {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();

    // 1. client_id and redirect_uri: until both are good, errors go to the user.
    let client = match single(&pairs, "client_id") {
        Err(_) => {
            return (
                None,
                None,
                Decision::Page("the client_id parameter is repeated"),
            );
        }
        Ok(None) => {
            return (
                None,
                None,
                Decision::Page("the client_id parameter is missing"),
            );
        }
        Ok(Some(id)) => match find_client(id) {
            Some(client) => client,
            None => return (None, None, Decision::Page("unknown client_id")),
        },
    };
    let page = |message| (Some(client.id), None, Decision::Page(message));
    let redirect_uri = match single(&pairs, "redirect_uri") {
        Err(_) => return page("the redirect_uri parameter is repeated"),
        // This server requires it, even for a client with one registered URI.
        Ok(None) => return page("the redirect_uri parameter is missing"),
        Ok(Some(uri)) if client.redirect.matches(uri) => uri,
        Ok(Some(_)) => return page("the redirect_uri is not registered for this client"),
    };

    // From here on, errors are redirected, with the request's state as sent.
    let Ok(state) = raw_state(query) else {
        return (
            Some(client.id),
            None,
            refused(redirect_uri, "invalid_request", "state parameter repeated"),
        );
    };
    let decision = decide_code(s, client, redirect_uri, query, &pairs).await;
    (Some(client.id), state, decision)
}

async fn decide_code(
    s: &AppState,
    client: &'static crate::clients::Client,
    redirect_uri: &str,
    query: &str,
    pairs: &[(String, String)],
) -> Decision {
    let fail = |error, description| refused(redirect_uri, error, description);
    match single(pairs, "response_type") {
        Err(_) => return fail("invalid_request", "response_type parameter repeated"),
        Ok(None) => return fail("invalid_request", "response_type required"),
        Ok(Some("code")) => {}
        Ok(Some(_)) => {
            return fail(
                "unsupported_response_type",
                "only response_type=code is supported",
            );
        }
    }

    // RFC 8707 §2: a malformed resource is refused before any code exists.
    let served = s.settings.resources.as_deref();
    let resource = match crate::resource::requested(pairs)
        .and_then(|r| crate::resource::served(served, r).map(|()| r))
    {
        Ok(resource) => resource,
        Err(description) => return fail(crate::resource::INVALID_TARGET, description),
    };

    // 2. PKCE, with the client type from the registration, over the query
    // as received (no map in between to drop a repeat).
    let settings = &s.settings;
    let (bound, weakened) =
        match weaken::authorize(settings.weakness, &settings.policy, client.kind, query) {
            Ok(decision) => decision,
            Err(e) => {
                let [(_, error), (_, description)] = e.query_pairs();
                return fail(error, description);
            }
        };

    // 3. Store the code, with its binding in the same record. The store
    // checks the client's quota atomically, before the challenge is
    // recorded: refused requests cannot flush the challenge log.
    let Ok(code) = random_token() else {
        return fail("server_error", "no randomness available");
    };
    let record = CodeRecord::new(client.id, redirect_uri, Pkce::from(bound.clone()))
        .and_then(|r| r.with_app_data(crate::resource::app_data(resource)));
    let Ok(record) = record else {
        return fail("invalid_request", "redirect_uri or resource too long");
    };
    match s.store.insert(&code, &record, settings.code_lifetime).await {
        Ok(()) => {}
        // This client's quota only: the other clients still get codes.
        Err(StoreError::QuotaReached) => {
            return fail(
                "temporarily_unavailable",
                "too many pending authorization codes for this client",
            );
        }
        Err(e) => {
            s.log.line(format_args!(
                "authorize client={}: store error: {e}",
                client.id
            ));
            return fail("temporarily_unavailable", "the code store is unavailable");
        }
    }
    // 4. RFC 9700 §2.1.1: refuse a challenge this client used before, on
    // any instance sharing the store. A code not issued is withdrawn.
    if let Some(challenge) = &bound {
        let refusal = match s.reuse.check(&s.store, client.id, challenge).await {
            Ok(Ok(())) => None,
            Ok(Err(e)) => {
                let [(_, error), (_, description)] = e.query_pairs();
                Some((error, description))
            }
            Err(Unchecked::NoRandomness) => Some(("server_error", "no randomness available")),
            Err(Unchecked::Store(e)) => {
                s.log.line(format_args!(
                    "authorize client={}: store error: {e}",
                    client.id
                ));
                Some((
                    "temporarily_unavailable",
                    "the challenge log is unavailable",
                ))
            }
        };
        if let Some((error, description)) = refusal {
            // Best effort: the code was never sent, and expires anyway.
            let _ = s.store.take(&code).await;
            return fail(error, description);
        }
    }
    Decision::Issued {
        redirect_uri: redirect_uri.to_owned(),
        code,
        pkce: bound.as_ref().map_or("none", |c| c.method().as_str()),
        weakened,
    }
}
