//! One process plays the three parts of an authorization-code flow with PKCE:
//! the client, the authorization server, and an attacker who intercepted the
//! authorization code (RFC 7636 §1).
//!
//! Run it with `cargo run --example flow`.

use std::collections::HashMap;
use std::process::ExitCode;

use proofkey::{ChallengeMethod, ClientType, CodeChallenge, CodeVerifier, Policy, TokenError};

/// What the server keeps per authorization code: the binding, in one record.
struct CodeRecord {
    client_id: &'static str,
    challenge: Option<(String, ChallengeMethod)>,
}

struct Server {
    policy: Policy,
    codes: HashMap<String, CodeRecord>,
}

impl Server {
    fn client_type(client_id: &str) -> ClientType {
        // From the client's registration, never from the request.
        if client_id == "spa" {
            ClientType::Public
        } else {
            ClientType::Confidential
        }
    }

    /// The authorization endpoint, after client_id and redirect_uri checks.
    fn authorize(
        &mut self,
        client_id: &'static str,
        query: &[(&str, &str)],
    ) -> Result<String, String> {
        let client = Self::client_type(client_id);
        let bound = self
            .policy
            .authorize_params(client, query.iter().copied())
            .map_err(|e| {
                format!(
                    "redirect with error={}&error_description={}",
                    e.error_code(),
                    e.description()
                )
            })?;
        let code = CodeVerifier::random().map_err(|e| e.to_string())?.secret()[..22].to_string();
        let challenge = bound.map(|c| (c.as_str().to_owned(), c.method()));
        self.codes.insert(
            code.clone(),
            CodeRecord {
                client_id,
                challenge,
            },
        );
        Ok(code)
    }

    /// The token endpoint. The code is consumed whatever the outcome.
    fn token(
        &mut self,
        client_id: &str,
        code: &str,
        form: &[(&str, &str)],
    ) -> Result<&'static str, String> {
        let Some(record) = self.codes.remove(code) else {
            return Err("invalid_grant: unknown or already used code".into());
        };
        if record.client_id != client_id {
            return Err("invalid_grant: code was issued to another client".into());
        }
        let bound = match &record.challenge {
            Some((value, method)) => {
                Some(CodeChallenge::parse(value, *method).map_err(|e| e.to_string())?)
            }
            None => None,
        };
        self.policy
            .token_params(
                Self::client_type(client_id),
                bound.as_ref(),
                form.iter().copied(),
            )
            .map(|()| "an access token")
            .map_err(|e: TokenError| format!("{}: {}", e.error_code(), e.description()))
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flow failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut server = Server {
        policy: Policy::production(),
        codes: HashMap::new(),
    };
    println!(
        "authorization server: policy = production, code_challenge_methods_supported = {:?}\n",
        server.policy.methods_supported()
    );

    // 1. Client: a fresh secret verifier for this one authorization request.
    let verifier = CodeVerifier::random().map_err(|e| e.to_string())?;
    println!(
        "[client]   1. code_verifier generated ({} chars, kept secret: never printed or logged)",
        verifier.secret().len()
    );

    // 2. Client: only the S256 challenge travels in the front channel.
    let challenge = verifier.challenge();
    println!(
        "[client]   2. authorization request sent: code_challenge={} code_challenge_method={}",
        challenge.as_str(),
        challenge.method()
    );

    // 3. Server: validate and store the challenge with the code.
    let query = [
        ("response_type", "code"),
        ("client_id", "spa"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let code = server.authorize("spa", &query)?;
    println!("[server]   3. challenge validated and stored with authorization code {code}");

    // 4. Client: redeems the code with its verifier.
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("code_verifier", verifier.secret()),
    ];
    let token = server.token("spa", &code, &form)?;
    println!("[server]   4. token request with the code_verifier accepted: issued {token}");

    // 5. Attacker: intercepts the code of the client's next login (a malicious
    //    app on the same custom scheme, a leaky log...) and races to redeem it.
    let next = CodeVerifier::random().map_err(|e| e.to_string())?;
    let next_challenge = next.challenge();
    let query = [
        ("code_challenge", next_challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let stolen = server.authorize("spa", &query)?;
    println!(
        "[attacker] 5. intercepted authorization code {stolen} from the next login's redirect"
    );
    match server.token(
        "spa",
        &stolen,
        &[("grant_type", "authorization_code"), ("code", &stolen)],
    ) {
        Err(e) => println!(
            "[attacker] 6. exchange of the intercepted code without the verifier rejected: {e}"
        ),
        Ok(_) => return Err("the attacker's exchange was accepted".into()),
    }

    // 7. The failed attempt consumed the code: a second try, with a guess, is dead too.
    let guess = CodeVerifier::random().map_err(|e| e.to_string())?;
    match server.token(
        "spa",
        &stolen,
        &[("code", stolen.as_str()), ("code_verifier", guess.secret())],
    ) {
        Err(e) => println!("[attacker] 7. second try with a guessed verifier rejected: {e}"),
        Ok(_) => return Err("the guess was accepted".into()),
    }

    // 8. Attacker: strips the challenge (a downgrade) - a public client must use PKCE.
    match server.authorize("spa", &[("response_type", "code")]) {
        Err(e) => println!(
            "[attacker] 8. authorization request with the challenge stripped rejected: {e}"
        ),
        Ok(_) => return Err("the downgrade was accepted".into()),
    }
    println!("\nPKCE held: only the holder of the code_verifier could redeem the code.");
    Ok(())
}
