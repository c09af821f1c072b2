//! `GET /.well-known/oauth-authorization-server`: RFC 8414 metadata.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Json, Response};
use serde_json::json;

use crate::{AppState, weaken};

pub(crate) async fn metadata(State(s): State<Arc<AppState>>) -> Response {
    let issuer = &s.settings.issuer;
    let mut metadata = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        // RFC 9207: every authorization response carries `iss`.
        "authorization_response_iss_parameter_supported": true,
    });
    match (
        weaken::methods_supported(s.settings.weakness, &s.settings.policy),
        metadata.as_object_mut(),
    ) {
        (Some(methods), Some(fields)) => {
            fields.insert("code_challenge_methods_supported".to_owned(), json!(methods));
        }
        (None, _) => s.log.line(format_args!(
            "metadata: code_challenge_methods_supported omitted WEAKENED by --weaken no-methods-metadata"
        )),
        (Some(_), None) => {}
    }
    Json(metadata).into_response()
}
