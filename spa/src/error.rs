//! `SpaError`: why a login could not start or complete.

use core::fmt;

use proofkey::FlowError;

/// Why a login could not start or complete. The page shows its message in
/// `#error` and its [`kind`](Self::kind) in `#error`'s `data-error`.
///
/// No message contains the code, the `state`, the verifier or the stored
/// flow; the server's `error` and `error_description` are shown as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpaError {
    /// The server's RFC 8414 metadata is unusable (fixed reason).
    Metadata(&'static str),
    /// A [`ClientFlow`](proofkey::ClientFlow) step refused: no S256 in the
    /// metadata, RNG failure, stored flow malformed, expired, `state` or
    /// `iss` mismatch.
    Flow(FlowError),
    /// The callback URL has no authorization response at all.
    NoResponse,
    /// The authorization response has no `state`.
    MissingState,
    /// No pending login of this tab has the returned `state`: already
    /// completed (a reload or replay), or started in another tab or browser.
    NoPendingLogin,
    /// A response parameter appears more than once (RFC 6749 §3.1).
    Repeated(&'static str),
    /// The authorization server answered with an error (RFC 6749 §4.1.2.1).
    Authorization {
        /// The `error` code.
        error: String,
        /// The `error_description`, if any.
        description: Option<String>,
    },
    /// A successful authorization response without a `code`.
    MissingCode,
    /// The token endpoint refused the code (RFC 6749 §5.2).
    Token {
        /// The HTTP status.
        status: u16,
        /// The `error` code (`invalid_grant`, ...), or `unknown`.
        error: String,
        /// The `error_description`, if any.
        description: Option<String>,
    },
    /// A success response that is not an RFC 6749 §5.1 token response.
    BadTokenResponse(&'static str),
    /// A browser API failed or is missing (fixed reason).
    Browser(&'static str),
    /// A `fetch` failed before any response (fixed reason).
    Network(&'static str),
}

impl SpaError {
    /// A short, stable name for tests and scripts: `no_pending_login`,
    /// `network`, the server's own code for `Authorization` and `Token`
    /// (e.g. `invalid_grant`), ...
    #[must_use]
    pub fn kind(&self) -> &str {
        match self {
            Self::Metadata(_) => "metadata",
            Self::Flow(FlowError::StateMismatch) => "state_mismatch",
            Self::Flow(FlowError::Expired) => "expired",
            Self::Flow(
                FlowError::IssuerMismatch
                | FlowError::MissingIssuer
                | FlowError::ForeignTokenEndpoint,
            ) => "issuer",
            Self::Flow(FlowError::MethodsNotAdvertised | FlowError::S256NotAdvertised) => "no_s256",
            Self::Flow(_) => "flow",
            Self::NoResponse => "no_response",
            Self::MissingState => "missing_state",
            Self::NoPendingLogin => "no_pending_login",
            Self::Repeated(_) => "repeated_parameter",
            Self::Authorization { error, .. } | Self::Token { error, .. } => error,
            Self::MissingCode => "missing_code",
            Self::BadTokenResponse(_) => "bad_token_response",
            Self::Browser(_) => "browser",
            Self::Network(_) => "network",
        }
    }
}

impl From<FlowError> for SpaError {
    fn from(e: FlowError) -> Self {
        Self::Flow(e)
    }
}

fn described(f: &mut fmt::Formatter<'_>, error: &str, description: Option<&str>) -> fmt::Result {
    match description {
        Some(d) => write!(f, "{error} ({d})"),
        None => f.write_str(error),
    }
}

impl fmt::Display for SpaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Metadata(why) => write!(f, "the server's metadata is unusable: {why}"),
            Self::Flow(e) => write!(f, "login refused: {e}"),
            Self::NoResponse => {
                f.write_str("this page only completes a login: start one from the app's first page")
            }
            Self::MissingState => f.write_str("the authorization response has no state"),
            Self::NoPendingLogin => f.write_str(
                "no pending login of this tab matches this response: it was already \
                 completed (a reload or a replay), or started in another tab or browser",
            ),
            Self::Repeated(name) => write!(f, "the {name} parameter is repeated"),
            Self::Authorization { error, description } => {
                f.write_str("the authorization server refused: ")?;
                described(f, error, description.as_deref())
            }
            Self::MissingCode => f.write_str("the authorization response has no code"),
            Self::Token {
                status,
                error,
                description,
            } => {
                write!(f, "the token endpoint refused the code (HTTP {status}): ")?;
                described(f, error, description.as_deref())
            }
            Self::BadTokenResponse(why) => write!(f, "unusable token response: {why}"),
            Self::Browser(why) => write!(f, "the browser refused: {why}"),
            Self::Network(why) => write!(f, "network error: {why}"),
        }
    }
}

impl std::error::Error for SpaError {}
