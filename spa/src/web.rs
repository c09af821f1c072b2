//! The browser glue (`wasm32` only): the two pages, `sessionStorage`,
//! `history` and `fetch`. Every decision is in [`crate::oauth`].

use proofkey::ClientFlow;
use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{
    Headers, HtmlButtonElement, HtmlElement, ReferrerPolicy, RequestCache, RequestCredentials,
    RequestInit, Response, Storage, Window,
};
use zeroize::Zeroizing;

use crate::SpaError;
use crate::oauth::{
    CALLBACK_PATH, Callback, METADATA_PATH, Metadata, authorization_url, is_stale_entry,
    read_token_response, redirect_uri, storage_key, token_request_body,
};

/// Runs when `boot.js` has loaded the module: the callback page completes
/// a login, any other page arms the login button.
#[wasm_bindgen(start)]
fn start() {
    spawn_local(async {
        if let Err(e) = route().await {
            show_error(&e);
        }
    });
}

async fn route() -> Result<(), SpaError> {
    let window = window()?;
    let path = window
        .location()
        .pathname()
        .map_err(|_| SpaError::Browser("location.pathname"))?;
    if path == CALLBACK_PATH {
        callback(&window).await
    } else {
        arm_login(&window)
    }
}

fn window() -> Result<Window, SpaError> {
    web_sys::window().ok_or(SpaError::Browser("no window"))
}

fn session_storage(window: &Window) -> Result<Storage, SpaError> {
    window
        .session_storage()
        .ok()
        .flatten()
        .ok_or(SpaError::Browser("sessionStorage is unavailable"))
}

fn origin(window: &Window) -> Result<String, SpaError> {
    window
        .location()
        .origin()
        .map_err(|_| SpaError::Browser("location.origin"))
}

/// Seconds since the Unix epoch, from the browser's clock.
fn now_secs() -> u64 {
    // Date.now() is a non-negative whole number of milliseconds.
    (js_sys::Date::now() / 1000.0) as u64
}

fn element(id: &str) -> Option<HtmlElement> {
    web_sys::window()?
        .document()?
        .get_element_by_id(id)?
        .dyn_into()
        .ok()
}

fn show(id: &str, text: &str) {
    if let Some(el) = element(id) {
        el.set_text_content(Some(text));
        el.set_hidden(false);
    }
}

fn show_error(e: &SpaError) {
    show("error", &e.to_string());
    if let Some(el) = element("error") {
        // Best effort: the message is already shown.
        let _ = el.set_attribute("data-error", e.kind());
    }
    show("status", "Login failed.");
    set_login_enabled(true);
}

fn set_login_enabled(enabled: bool) {
    if let Some(button) = element("login").and_then(|b| b.dyn_into::<HtmlButtonElement>().ok()) {
        button.set_disabled(!enabled);
    }
}

// ---------------------------------------------------------------- first page

/// Drops this app's flows that can no longer complete, then enables the button.
fn arm_login(window: &Window) -> Result<(), SpaError> {
    let storage = session_storage(window)?;
    let now = now_secs();
    let mut stale = Vec::new();
    for i in 0..storage.length().unwrap_or(0) {
        if let Ok(Some(key)) = storage.key(i) {
            let value = Zeroizing::new(storage.get_item(&key).ok().flatten().unwrap_or_default());
            if is_stale_entry(&key, &value, now) {
                stale.push(key);
            }
        }
    }
    for key in stale {
        let _ = storage.remove_item(&key);
    }

    let button = element("login").ok_or(SpaError::Browser("no #login button"))?;
    let on_click = Closure::<dyn FnMut()>::new(|| {
        set_login_enabled(false);
        spawn_local(async {
            if let Err(e) = login().await {
                show_error(&e);
            }
        });
    });
    button
        .add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())
        .map_err(|_| SpaError::Browser("addEventListener"))?;
    // The page lives as long as the listener.
    on_click.forget();
    set_login_enabled(true);
    show("status", "Ready.");
    Ok(())
}

/// A new flow per click: stored under its `state`, then the redirect.
async fn login() -> Result<(), SpaError> {
    let window = window()?;
    let origin = origin(&window)?;
    let meta = fetch_metadata(&window, &origin).await?;
    // Bound to the metadata's issuer: the callback checks `iss` and the
    // token endpoint against this record.
    let flow = ClientFlow::random(now_secs())?.for_issuer(&meta.issuer, None)?;
    let stored = flow.to_stored();
    session_storage(&window)?
        .set_item(&storage_key(flow.state()), stored.secret())
        .map_err(|_| SpaError::Browser("sessionStorage.setItem"))?;
    let url = authorization_url(&meta, &redirect_uri(&origin), &flow);
    window
        .location()
        .assign(&url)
        .map_err(|_| SpaError::Browser("location.assign"))
}

// ------------------------------------------------------------ callback page

async fn callback(window: &Window) -> Result<(), SpaError> {
    let search = window
        .location()
        .search()
        .map_err(|_| SpaError::Browser("location.search"))?;
    // The code and state leave the address bar and history now, whatever follows.
    if !search.is_empty() {
        window
            .history()
            .and_then(|h| h.replace_state_with_url(&JsValue::NULL, "", Some(CALLBACK_PATH)))
            .map_err(|_| SpaError::Browser("history.replaceState"))?;
    }
    let response = Callback::parse(&search)?;

    // Take the entry out before any check: used once, whatever the outcome.
    let storage = session_storage(window)?;
    let stored = match &response.state {
        Some(state) => {
            let key = storage_key(state);
            let value = storage.get_item(&key).ok().flatten().map(Zeroizing::new);
            storage
                .remove_item(&key)
                .map_err(|_| SpaError::Browser("sessionStorage.removeItem"))?;
            value
        }
        None => None,
    };

    let origin = origin(window)?;
    let meta = fetch_metadata(window, &origin).await?;
    let (flow, code) =
        response.complete(stored.as_deref().map(String::as_str), &meta, now_secs())?;
    // The code and the verifier go only to the recorded issuer's endpoint.
    let token_url = flow.token_endpoint(&meta.issuer, &meta.token_endpoint)?;
    let body = Zeroizing::new(token_request_body(code, &redirect_uri(&origin), &flow));
    drop(flow);
    show("status", "Exchanging the code...");
    let (status, text) = post_form(window, token_url, &body).await?;
    drop(body);
    let pretty = read_token_response(status, &text)?;
    show("token", &pretty);
    show("status", "Logged in: the token response is below.");
    Ok(())
}

// -------------------------------------------------------------------- fetch

fn request_init(method: &str) -> RequestInit {
    let init = RequestInit::new();
    init.set_method(method);
    // No cookies, no cache, no Referer: nothing but what the request needs.
    init.set_credentials(RequestCredentials::Omit);
    init.set_cache(RequestCache::NoStore);
    init.set_referrer_policy(ReferrerPolicy::NoReferrer);
    init
}

async fn fetch_text(
    window: &Window,
    url: &str,
    init: &RequestInit,
    what: &'static str,
) -> Result<(u16, String), SpaError> {
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, init))
        .await
        .map_err(|_| SpaError::Network(what))?
        .dyn_into()
        .map_err(|_| SpaError::Network(what))?;
    let text = response.text().map_err(|_| SpaError::Network(what))?;
    let text = JsFuture::from(text)
        .await
        .map_err(|_| SpaError::Network(what))?
        .as_string()
        .unwrap_or_default();
    Ok((response.status(), text))
}

async fn fetch_metadata(window: &Window, origin: &str) -> Result<Metadata, SpaError> {
    let url = format!("{origin}{METADATA_PATH}");
    let (status, text) = fetch_text(
        window,
        &url,
        &request_init("GET"),
        "the metadata request failed",
    )
    .await?;
    if status != 200 {
        return Err(SpaError::Metadata(
            "the metadata request did not answer 200",
        ));
    }
    Metadata::parse(&text, origin)
}

async fn post_form(window: &Window, url: &str, body: &str) -> Result<(u16, String), SpaError> {
    let init = request_init("POST");
    let headers = Headers::new().map_err(|_| SpaError::Browser("Headers"))?;
    headers
        .set("Content-Type", "application/x-www-form-urlencoded")
        .and_then(|()| headers.set("Accept", "application/json"))
        .map_err(|_| SpaError::Browser("Headers.set"))?;
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    fetch_text(window, url, &init, "the token request failed").await
}
