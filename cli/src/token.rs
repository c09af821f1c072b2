//! The token request (RFC 6749 §4.1.3, RFC 7636 §4.5) and its answer.

use serde_json::Value;
use url::Url;

use crate::discovery::Metadata;
use crate::fail::Failure;
use crate::http::Http;

/// How a client authenticates at the token endpoint (RFC 6749 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// A public client: `client_id` in the form, no secret.
    None,
    /// `client_secret_basic`, which every server supports (RFC 6749 §2.3.1).
    Basic,
    /// `client_secret_post`, if the metadata lists it but not `client_secret_basic`.
    Post,
}

/// A registered client, as the tool uses it.
pub(crate) struct Client {
    pub(crate) id: String,
    pub(crate) secret: Option<String>,
    pub(crate) redirect_uri: Url,
    pub(crate) auth: Auth,
    /// The `resource` (RFC 8707) the flow asks a token for, if any.
    pub(crate) resource: Option<String>,
}

impl Client {
    /// A client of `meta`'s server: public without `secret`, else
    /// confidential with the authentication method the metadata allows.
    pub(crate) fn new(
        meta: &Metadata,
        id: String,
        secret: Option<String>,
        redirect_uri: Url,
    ) -> Self {
        let auth = match (&secret, &meta.token_auth_methods) {
            (None, _) => Auth::None,
            (Some(_), Some(methods))
                if !methods.iter().any(|m| m == "client_secret_basic")
                    && methods.iter().any(|m| m == "client_secret_post") =>
            {
                Auth::Post
            }
            (Some(_), _) => Auth::Basic,
        };
        Self {
            id,
            secret,
            redirect_uri,
            auth,
            resource: None,
        }
    }

    /// The same client, asking for tokens for `resource` (RFC 8707).
    pub(crate) fn for_resource(self, resource: Option<String>) -> Self {
        Self { resource, ..self }
    }
}

/// What the token endpoint answered.
pub(crate) enum Reply {
    /// A 2xx JSON object with an `access_token`: the body, as received.
    Issued(String),
    /// Anything else, described without the body's secrets.
    Refused {
        status: u16,
        error: Option<String>,
        description: Option<String>,
    },
}

impl Reply {
    /// `HTTP 400 invalid_grant (description)`, for a message.
    pub(crate) fn refusal_text(&self) -> String {
        match self {
            Self::Issued(_) => "issued an access token".to_owned(),
            Self::Refused {
                status,
                error,
                description,
            } => {
                let mut text = format!("HTTP {status}");
                if let Some(error) = error {
                    text.push_str(&format!(" {error}"));
                }
                if let Some(description) = description {
                    text.push_str(&format!(" ({description})"));
                }
                text
            }
        }
    }
}

/// Redeems `code` for `client`, with `code_verifier` if `verifier` is `Some`.
pub(crate) fn redeem(
    http: &Http,
    meta: &Metadata,
    client: &Client,
    code: &str,
    verifier: Option<&str>,
) -> Result<Reply, Failure> {
    let redirect_uri = client.redirect_uri.as_str();
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
    ];
    let mut basic = None;
    match (client.auth, &client.secret) {
        (Auth::Basic, Some(secret)) => basic = Some((client.id.as_str(), secret.as_str())),
        (Auth::Post, Some(secret)) => {
            form.push(("client_id", &client.id));
            form.push(("client_secret", secret));
        }
        _ => form.push(("client_id", &client.id)),
    }
    if let Some(verifier) = verifier {
        form.push(("code_verifier", verifier));
    }
    // RFC 8707 §2.2: the same resource as in the authorization request.
    if let Some(resource) = &client.resource {
        form.push(("resource", resource));
    }
    let reply = http.post_form(&meta.token_endpoint, &form, basic)?;
    let json: Option<Value> = serde_json::from_str(&reply.body).ok();
    let field = |name: &str| {
        json.as_ref()
            .and_then(|v| v.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let has_token = json
        .as_ref()
        .is_some_and(|v| v.is_object() && v.get("access_token").is_some_and(Value::is_string));
    if (200..300).contains(&reply.status) && has_token {
        return Ok(Reply::Issued(reply.body));
    }
    // RFC 9457 problem details: `detail` says what went wrong.
    let problem = reply.content_type.contains("problem+json");
    let description = field("error_description").or_else(|| {
        problem
            .then(|| field("detail").or_else(|| field("title")))
            .flatten()
    });
    Ok(Reply::Refused {
        status: reply.status,
        error: field("error"),
        description,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(methods: Option<&[&str]>) -> Metadata {
        Metadata {
            issuer: "https://as.example".into(),
            authorization_endpoint: Url::parse("https://as.example/authorize").unwrap(),
            token_endpoint: Url::parse("https://as.example/token").unwrap(),
            methods: Some(vec!["S256".into()]),
            token_auth_methods: methods.map(|m| m.iter().map(|s| (*s).to_owned()).collect()),
            iss_supported: true,
            registration_endpoint: None,
        }
    }

    #[test]
    fn client_authentication_follows_the_metadata() {
        let uri = Url::parse("http://127.0.0.1:1/callback").unwrap();
        let auth = |methods, secret: Option<&str>| {
            Client::new(
                &meta(methods),
                "c".into(),
                secret.map(str::to_owned),
                uri.clone(),
            )
            .auth
        };
        assert_eq!(auth(None, None), Auth::None);
        assert_eq!(auth(None, Some("s")), Auth::Basic);
        assert_eq!(auth(Some(&["client_secret_post"]), Some("s")), Auth::Post);
        assert_eq!(
            auth(
                Some(&["client_secret_post", "client_secret_basic"]),
                Some("s")
            ),
            Auth::Basic
        );
        // RFC 6749 §2.3.1: Basic is what every server must support.
        assert_eq!(auth(Some(&["private_key_jwt"]), Some("s")), Auth::Basic);
    }
}
