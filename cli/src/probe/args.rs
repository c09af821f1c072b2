//! `pkce probe`'s command line.

use super::catalog::IDS;
use super::report::FailOn;

const EXAMPLES: &str = "\
Examples:
  # A server that approves without a login page, both kinds of client:
  pkce probe http://127.0.0.1:8080 --auto --public-client spa \\
      --confidential-client backend --client-secret backend-secret \\
      --confidential-redirect-uri https://backend.example.com/callback

  # A server without metadata, through the browser, an OpenID scope:
  pkce probe https://as.example --public-client my-app --scope openid \\
      --authorization-endpoint https://as.example/oauth/authorize \\
      --token-endpoint https://as.example/oauth/token --only missing-method replay

Exit codes: 0 nothing failed at or above --fail-on and nothing inconclusive;
1 a rule failed; 2 usage, network or setup error; 3 no failure, but a rule
was inconclusive.";

/// Check that a live server enforces PKCE: a table of rules, or JSON.
///
/// Each rule ends PASS (refused, for the PKCE reason), FAIL (a code or token
/// the RFCs forbid), INCONCLUSIVE (refused for another reason: client
/// authentication, 5xx, 404, no redirect; the reason is shown) or SKIPPED
/// (with the flag that would run it). Sends traffic only to the issuer's
/// origin. Codes come through the loopback redirect: a browser with a live
/// login session completes each request at once; --auto follows the
/// authorization endpoint's redirects with an HTTP client instead, for
/// servers that approve without interaction.
#[derive(clap::Args)]
#[command(after_help = EXAMPLES)]
#[command(group(clap::ArgGroup::new("clients").required(true).multiple(true)
    .args(["public_client", "confidential_client", "register"])))]
pub(crate) struct ProbeArgs {
    /// The issuer URL (https, or http on 127.0.0.1 / localhost); with
    /// --profile mcp, the protected resource's URL (RFC 9728).
    pub(crate) issuer: String,
    /// A checklist instead of the general rules: mcp runs the MCP
    /// authorization spec's checks from a protected resource, each with a
    /// strict and a lenient verdict.
    #[arg(long, value_name = "PROFILE", value_enum, conflicts_with_all = [
        "only", "skip", "authorization_endpoint", "token_endpoint", "allow_plain",
    ])]
    pub(crate) profile: Option<Profile>,
    /// --profile mcp: register a public client (RFC 7591) instead of --public-client.
    #[arg(long, requires = "profile", conflicts_with = "public_client")]
    pub(crate) register: bool,
    /// --profile mcp: judge the exit code on the lenient verdicts (what the
    /// official MCP SDKs accept) instead of the strict ones (the spec text).
    #[arg(long, requires = "profile")]
    pub(crate) lenient: bool,
    /// A public client's client_id (runs the missing-challenge rule).
    #[arg(long, value_name = "ID")]
    pub(crate) public_client: Option<String>,
    /// A confidential client's client_id (runs the downgrade rule).
    #[arg(long, value_name = "ID", requires = "client_secret")]
    pub(crate) confidential_client: Option<String>,
    /// The confidential client's secret.
    #[arg(long, value_name = "S", requires = "confidential_client")]
    pub(crate) client_secret: Option<String>,
    /// How the confidential client authenticates (default: basic, or post
    /// if the metadata lists only client_secret_post).
    #[arg(long, value_name = "HOW", requires = "client_secret")]
    pub(crate) client_auth: Option<ClientAuth>,
    /// The public client's redirect URI (default
    /// http://127.0.0.1:<free port>/callback; port 0: one the OS picks).
    #[arg(long, value_name = "URI")]
    pub(crate) redirect_uri: Option<String>,
    /// The confidential client's redirect URI (default: the public client's).
    #[arg(long, value_name = "URI")]
    pub(crate) confidential_redirect_uri: Option<String>,
    /// The scope to request (e.g. openid: a fresh nonce is then sent too).
    #[arg(long, value_name = "SCOPE")]
    pub(crate) scope: Option<String>,
    /// An extra authorization request parameter (repeatable), e.g. audience=api.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = name_value)]
    pub(crate) params: Vec<(String, String)>,
    /// The authorization endpoint, for a server without metadata (with --token-endpoint).
    #[arg(long, value_name = "URL", requires = "token_endpoint")]
    pub(crate) authorization_endpoint: Option<String>,
    /// The token endpoint, for a server without metadata (with --authorization-endpoint).
    #[arg(long, value_name = "URL", requires = "authorization_endpoint")]
    pub(crate) token_endpoint: Option<String>,
    /// Follow the authorization endpoint's redirects with an HTTP client (no browser).
    #[arg(long)]
    pub(crate) auto: bool,
    /// Print each authorization URL on stderr instead of opening the browser.
    #[arg(long, conflicts_with = "auto")]
    pub(crate) no_browser: bool,
    /// The server allows plain deliberately: check that it verifies it instead.
    #[arg(long)]
    pub(crate) allow_plain: bool,
    /// Run only these rules.
    #[arg(long, value_name = "RULE", num_args = 1.., value_parser = clap::builder::PossibleValuesParser::new(IDS))]
    pub(crate) only: Vec<String>,
    /// Do not run these rules.
    #[arg(long, value_name = "RULE", num_args = 1.., value_parser = clap::builder::PossibleValuesParser::new(IDS))]
    pub(crate) skip: Vec<String>,
    /// The lowest severity whose failure makes the exit code 1.
    #[arg(long, value_name = "SEVERITY", value_enum, default_value = "low")]
    pub(crate) fail_on: FailOn,
    /// Simultaneous token requests of concurrent-redemption (2 to 64).
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(2..=64))]
    pub(crate) concurrency: u16,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub(crate) json: bool,
    /// Seconds to wait for each redirect through the browser.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub(crate) timeout: u64,
}

impl ProbeArgs {
    /// Whether rule `id` runs under --only and --skip.
    pub(crate) fn selected(&self, id: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|o| o == id))
            && !self.skip.iter().any(|s| s == id)
    }
}

/// `--profile`: a checklist of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Profile {
    /// The MCP authorization spec (2025-11-25, 2026-07-28), from a protected resource.
    Mcp,
}

/// `--client-auth`: RFC 6749 §2.3.1's two ways to send a client secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ClientAuth {
    /// client_secret_basic: an Authorization header.
    Basic,
    /// client_secret_post: client_id and client_secret in the form.
    Post,
}

/// The parameters each rule sets itself: a --param cannot override them.
const RESERVED: [&str; 6] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "code_challenge",
    "code_challenge_method",
];

fn name_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, _)) if RESERVED.contains(&name) => Err(format!(
            "{name} is set by each rule itself and cannot be a --param"
        )),
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("expected NAME=VALUE, got {text:?}")),
    }
}
